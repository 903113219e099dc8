import COpenCV
import Imaging

/// One part's view after registration: the region resized to the view and, when the part was
/// located, warped onto the reference; the alignment found and, when it was beyond the tolerance,
/// why it was not corrected.
public struct RegisteredView: Sendable {
    /// `RegistrationGeometry.view` pixels square, the frame's layout: what the backbone sees.
    public let image: Image
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

/// Registers each frame's region to the calibration reference, on one thread, reusing its
/// buffers: resize to the view (OpenCV INTER_AREA), grey thumbnail, phase correlation + ECC
/// (Euclidean), then warpAffine of the view when the part is inside the tolerance.
public final class Registrar {
    public let reference: RegistrationReference
    public var tolerance: RegistrationTolerance
    /// false: measure and judge the position, but inspect the view uncorrected (`--no-register`
    /// on a model fitted with registration, to compare).
    public var correcting = true
    public let settings: AlignmentSettings
    private var view: [UInt8] = []
    private var warped: [UInt8] = []
    private var thumb = [Float](repeating: 0, count: RegistrationGeometry.thumbnail * RegistrationGeometry.thumbnail)

    public init(reference: RegistrationReference, tolerance: RegistrationTolerance = RegistrationTolerance(),
                settings: AlignmentSettings = AlignmentSettings()) {
        _ = OpenCVCalls.singleThreaded
        self.reference = reference
        self.tolerance = tolerance
        self.settings = settings
    }

    /// The region of `image` (all of it when nil) resized to the view, into `out`.
    static func resizeToView(_ image: Image, region: PixelRect?, into out: inout [UInt8]) throws(RegistrationError) {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        guard roi.fits(width: image.width, height: image.height) else {
            throw .badArgument("region \(roi.width)x\(roi.height)+\(roi.x)+\(roi.y) lies outside the \(image.width)x\(image.height) frame")
        }
        let channels = image.layout.channels, side = RegistrationGeometry.view
        if out.count != side * side * channels { out = [UInt8](repeating: 0, count: side * side * channels) }
        try OpenCVCalls.check(image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ls_cv_resize_u8(src.baseAddress! + (roi.y * image.width + roi.x) * channels, Int32(roi.width), Int32(roi.height),
                                Int32(image.width * channels), Int32(channels), dst.baseAddress, Int32(side), Int32(side))
            }
        })
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
        var view: [UInt8] = [], out: [Float] = []
        try resizeToView(image, region: region, into: &view)
        try thumbnail(ofView: view, channels: image.layout.channels, into: &out)
        return out
    }

    /// Registers one region: the view to inspect, the alignment, and whether it was corrected.
    public func register(_ image: Image, region: PixelRect? = nil) throws(RegistrationError) -> RegisteredView {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        try Self.resizeToView(image, region: roi, into: &view)
        try Self.thumbnail(ofView: view, channels: image.layout.channels, into: &thumb)
        let alignment = try RegistrationReference.align(thumb, to: reference.pixels, settings: settings).inView
        let side = RegistrationGeometry.view, layout = image.layout
        let violation = tolerance.violation(alignment)
        if violation != nil || !correcting {
            return RegisteredView(image: Image(width: side, height: side, layout: layout, pixels: view), alignment: alignment,
                                  notLocated: violation, corrected: false, regionWidth: roi.width, regionHeight: roi.height)
        }
        if warped.count != view.count { warped = [UInt8](repeating: 0, count: view.count) }
        try OpenCVCalls.check(view.withUnsafeBufferPointer { src in
            warped.withUnsafeMutableBufferPointer { dst in
                alignment.matrix.withUnsafeBufferPointer { m in
                    ls_cv_warp_u8(src.baseAddress, Int32(side), Int32(side), Int32(layout.channels), m.baseAddress, dst.baseAddress)
                }
            }
        })
        return RegisteredView(image: Image(width: side, height: side, layout: layout, pixels: warped), alignment: alignment,
                              notLocated: nil, corrected: true, regionWidth: roi.width, regionHeight: roi.height)
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
