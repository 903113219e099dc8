import Imaging

/// The whole frame, scaled down for a person to look at (the HMI's live view): every `step`-th
/// pixel of every `step`-th row, RGB, with the region of interest it was captured with.
public struct FrameOverview: Sendable {
    /// Largest overview side; a bigger frame is sampled every `step` pixels to fit.
    public static let maximumSide = 640

    public var image: Image
    /// Frame pixels per overview pixel (1 for frames up to `maximumSide`).
    public var step: Int
    /// The region of interest in frame pixels (nil: the whole frame).
    public var region: PixelRect?

    public init(image: Image, step: Int, region: PixelRect?) {
        self.image = image
        self.step = step
        self.region = region
    }
}

extension Frame {
    /// The frame as a `FrameOverview` (uncompressed formats; one row converted at a time, so a
    /// large frame costs the rows it keeps, not all of them).
    public func overview(region: PixelRect?, maximumSide: Int = FrameOverview.maximumSide) throws(CaptureError) -> FrameOverview {
        precondition(maximumSide > 0, "an overview has a size")
        try checkConvertible(bounds, to: .rgb)
        let step = max(1, (width + maximumSide - 1) / maximumSide, (height + maximumSide - 1) / maximumSide)
        let outWidth = (width + step - 1) / step, outHeight = (height + step - 1) / step
        var image = Image(width: outWidth, height: outHeight, layout: .rgb)
        var row = [UInt8](repeating: 0, count: step == 1 ? 0 : width * 3)
        image.pixels.withUnsafeMutableBufferPointer { out in
            row.withUnsafeMutableBufferPointer { scratch in
                for y in 0..<outHeight {
                    let line = PixelRect(x: 0, y: y * step, width: width, height: 1)
                    let destination = out.baseAddress! + y * outWidth * 3
                    if step == 1 {
                        PixelConversion.convert(self, region: line, layout: .rgb, into: destination)
                        continue
                    }
                    PixelConversion.convert(self, region: line, layout: .rgb, into: scratch.baseAddress!)
                    for x in 0..<outWidth {
                        for c in 0..<3 { destination[x * 3 + c] = scratch[x * step * 3 + c] }
                    }
                }
            }
        }
        return FrameOverview(image: image, step: step, region: region)
    }
}
