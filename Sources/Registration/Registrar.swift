import COpenCV
import Imaging
import Platform

/// One part's registration: the alignment found, whether the view was corrected and, when the
/// part was beyond the tolerance, why not. The view itself is the registrar's (`view`).
public struct RegisteredView: Sendable {
    public let alignment: Alignment
    /// nil: located; else the tolerance it broke (the view is left uncorrected).
    public let notLocated: String?
    /// Whether the view was warped onto the reference (located, and correction on).
    public let corrected: Bool
    /// The region's size in the frame (to turn the offset into frame pixels).
    public let regionWidth: Int
    public let regionHeight: Int

    public var located: Bool { notLocated == nil }
    public var regionOffset: (dx: Double, dy: Double) { alignment.regionOffset(width: regionWidth, height: regionHeight) }
}

/// Registers each frame's region to the calibration reference, reusing its buffers: the region
/// resized to the 256 view by the preprocessing's own filter (`Preprocessor.resizeToView`, so an
/// uncorrected view is exactly what the preprocessing would give), a grey thumbnail, phase
/// correlation + ECC (Euclidean), then warpAffine of the view's centre crop (all the model reads)
/// when the part is inside the tolerance. Used from one thread at a time.
public final class Registrar {
    public let reference: RegistrationReference
    public var tolerance: RegistrationTolerance
    /// false: measure and judge the position, but inspect the view uncorrected (`--no-register`
    /// on a model fitted with registration, to compare).
    public var correcting = true
    public let settings: AlignmentSettings
    private var preprocessor = Preprocessor()
    private var resized: [UInt8] = []
    private var warped: [UInt8] = []
    private var lastLayout = Image.Layout.rgb
    private var lastCorrected = false
    private var lastMatrix: [Double] = []
    /// `warped` holds the whole corrected view, not only its centre crop (see `view`).
    private var warpedWhole = false
    private var thumb = [Float](repeating: 0, count: RegistrationGeometry.thumbnail * RegistrationGeometry.thumbnail)

    public init(reference: RegistrationReference, tolerance: RegistrationTolerance = RegistrationTolerance(),
                settings: AlignmentSettings = AlignmentSettings()) {
        _ = OpenCVCalls.singleThreaded
        self.reference = reference
        self.tolerance = tolerance
        self.settings = settings
    }

    /// The last registered view (`RegistrationGeometry.view` pixels square, the frame's layout),
    /// whose centre crop the backbone sees. A corrected view is warped whole here, on the first
    /// ask (a frame warps only the crop). It shares the registrar's buffer: let it go before the
    /// next `register` (or that call copies the buffer).
    public var view: Image {
        if lastCorrected, !warpedWhole {
            // The same matrix and buffers the crop was just warped with: cannot fail.
            precondition((try? warp(x: 0, y: 0, size: RegistrationGeometry.view)) != nil, "warp of a registered view")
            warpedWhole = true
        }
        return buffered
    }

    /// The last registered view's centre crop as the model input (what `Preprocessor.prepare`
    /// makes of `view`), read from the crop the frame's registration warped.
    public func writeInput(into output: UnsafeMutableBufferPointer<Int8>) {
        preprocessor.prepare(buffered, into: output)  // a 256 view: the crop alone is read
    }

    /// The view's buffer as it stands (a corrected one may hold only its centre crop).
    private var buffered: Image {
        let side = RegistrationGeometry.view
        return Image(width: side, height: side, layout: lastLayout, pixels: lastCorrected ? warped : resized)
    }

    /// Warps the `size`-square at (x, y) of the corrected view from `resized` into `warped`.
    private func warp(x: Int, y: Int, size: Int) throws(RegistrationError) {
        let side = RegistrationGeometry.view, channels = lastLayout.channels
        try OpenCVCalls.check(resized.withUnsafeBufferPointer { src in
            warped.withUnsafeMutableBufferPointer { dst in
                lastMatrix.withUnsafeBufferPointer { m in
                    ls_cv_warp_u8(src.baseAddress, Int32(side), Int32(side), Int32(channels), m.baseAddress, dst.baseAddress,
                                  Int32(x), Int32(y), Int32(size), Int32(size))
                }
            }
        })
    }

    /// The region of `image` (all of it when nil) resized to the view, into `out`.
    static func resizeToView(_ image: Image, region: PixelRect?, preprocessor: inout Preprocessor, into out: inout [UInt8],
                             parallel: any ParallelLoop) throws(RegistrationError) {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        guard roi.fits(width: image.width, height: image.height) else {
            throw .badArgument("region \(roi.width)x\(roi.height)+\(roi.x)+\(roi.y) lies outside the \(image.width)x\(image.height) frame")
        }
        let count = Preprocessor.viewCount(channels: image.layout.channels)
        if out.count != count { out = [UInt8](repeating: 0, count: count) }
        out.withUnsafeMutableBufferPointer { preprocessor.resizeToView(image, region: roi, into: $0, parallel: parallel) }
    }

    static func thumbnail(ofView view: [UInt8], channels: Int, into out: inout [Float]) throws(RegistrationError) {
        let side = RegistrationGeometry.view, size = RegistrationGeometry.thumbnail
        if out.count != size * size { out = [Float](repeating: 0, count: size * size) }
        try OpenCVCalls.check(view.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ls_cv_thumbnail(src.baseAddress, Int32(side), Int32(side), Int32(side * channels), Int32(channels), Int32(size), dst.baseAddress)
            }
        })
    }

    /// The grey thumbnail of a region, as the reference is built from (calibration's first pass).
    public static func thumbnail(_ image: Image, region: PixelRect? = nil) throws(RegistrationError) -> [Float] {
        _ = OpenCVCalls.singleThreaded
        var preprocessor = Preprocessor()
        var view: [UInt8] = [], out: [Float] = []
        try resizeToView(image, region: region, preprocessor: &preprocessor, into: &view, parallel: SerialLoop.shared)
        try thumbnail(ofView: view, channels: image.layout.channels, into: &out)
        return out
    }

    /// Registers one region: the alignment, and whether the view (`view`) was corrected. The
    /// resize runs on `parallel` (the backbone's threads in the firmware); the rest on this thread.
    public func register(_ image: Image, region: PixelRect? = nil, parallel: any ParallelLoop = SerialLoop.shared)
        throws(RegistrationError) -> RegisteredView {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        let layout = image.layout
        lastLayout = layout
        lastCorrected = false
        try Self.resizeToView(image, region: roi, preprocessor: &preprocessor, into: &resized, parallel: parallel)
        try Self.thumbnail(ofView: resized, channels: layout.channels, into: &thumb)
        let alignment = try RegistrationReference.align(thumb, to: reference.pixels, settings: settings).inView
        let violation = tolerance.violation(alignment)
        if violation != nil || !correcting {
            return RegisteredView(alignment: alignment, notLocated: violation, corrected: false,
                                  regionWidth: roi.width, regionHeight: roi.height)
        }
        if warped.count != resized.count { warped = [UInt8](repeating: 0, count: resized.count) }
        lastMatrix = alignment.matrix
        try warp(x: Preprocessor.cropOffset, y: Preprocessor.cropOffset, size: Preprocessor.cropTo)
        warpedWhole = false
        lastCorrected = true
        return RegisteredView(alignment: alignment, notLocated: nil, corrected: true, regionWidth: roi.width, regionHeight: roi.height)
    }

    /// Draws a map made in the reference's view (`width` x `height`, covering the view's
    /// `[origin, origin + width)` square, e.g. the 224 crop at 16) back onto the frame's view:
    /// the same square of the uncorrected view, sampled at warp^-1.
    public static func mapBack(_ map: [Float], width: Int, height: Int, origin: Int, alignment: Alignment) throws(RegistrationError) -> [Float] {
        precondition(map.count == width * height, "map size")
        // Shift into the crop's own coordinates: p_crop = p_view - origin on both sides.
        let m = alignment.matrix, o = Double(origin)
        let crop = [m[0], m[1], m[2] + o * (m[0] + m[1] - 1), m[3], m[4], m[5] + o * (m[3] + m[4] - 1)]
        var out = [Float](repeating: 0, count: map.count)
        try OpenCVCalls.check(map.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                crop.withUnsafeBufferPointer { c in
                    ls_cv_warp_f32(src.baseAddress, Int32(width), Int32(height), c.baseAddress, 1, dst.baseAddress, Int32(width), Int32(height))
                }
            }
        })
        return out
    }
}
