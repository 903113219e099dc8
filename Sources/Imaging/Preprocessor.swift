/// Turns an image (or a region of it) into the backbone's int8 input, per the spec in
/// tools/preprocess.py: resize to 256x256 with `ResampleFilter`, centre-crop 224x224, round to
/// 8 bits, then q = u8 - 128 (exactly (u8 - 127) / 128 at scale 1/128, zero point -1).
///
/// Only the 224 rows and columns that survive the crop are computed, straight from the source
/// pixels: no full-size copy. Filters and the intermediate buffer are kept for the next call, so a
/// stream of same-size frames allocates nothing.
public struct Preprocessor: Sendable {
    public static let resizeTo = 256
    public static let cropTo = 224
    public static let cropOffset = (resizeTo - cropTo) / 2
    public static let channels = 3

    private var horizontal: ResampleFilter?
    private var vertical: ResampleFilter?
    /// Rows of the source region filtered horizontally: [sourceRows][224][channels] floats.
    private var intermediate: [Float] = []

    public init() {}

    /// Bytes of the model input, 224 * 224 * 3, NHWC.
    public static var inputCount: Int { cropTo * cropTo * channels }

    /// Writes the model input for `region` of `image` (the whole image when nil) into `output`,
    /// which must hold `inputCount` Int8 values.
    public mutating func prepare(_ image: Image, region: PixelRect? = nil, into output: UnsafeMutableBufferPointer<Int8>) {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        precondition(roi.fits(width: image.width, height: image.height), "region lies outside the image")
        precondition(output.count >= Preprocessor.inputCount, "output too small")
        if horizontal?.inputSize != roi.width { horizontal = ResampleFilter(inputSize: roi.width, outputSize: Preprocessor.resizeTo) }
        if vertical?.inputSize != roi.height { vertical = ResampleFilter(inputSize: roi.height, outputSize: Preprocessor.resizeTo) }
        let hf = horizontal!, vf = vertical!
        let srcChannels = image.layout.channels
        let crop = Preprocessor.cropTo, offset = Preprocessor.cropOffset
        // Source rows the cropped output rows need.
        let rowLo = vf.starts[offset]
        let rowHi = (offset..<(offset + crop)).map { vf.starts[$0] + vf.counts[$0] }.max()!
        let needed = (rowHi - rowLo) * crop * srcChannels
        if intermediate.count < needed { intermediate = [Float](repeating: 0, count: needed) }

        image.pixels.withUnsafeBufferPointer { src in
            intermediate.withUnsafeMutableBufferPointer { mid in
                hf.weights.withUnsafeBufferPointer { hw in
                    for row in rowLo..<rowHi {
                        let srcRow = (roi.y + row) * image.width * srcChannels
                        let midRow = (row - rowLo) * crop * srcChannels
                        for ox in 0..<crop {
                            let x = ox + offset
                            let start = hf.starts[x], count = hf.counts[x], wBase = x * hf.maximumTaps
                            for c in 0..<srcChannels {
                                var acc: Float = 0
                                var s = srcRow + (roi.x + start) * srcChannels + c
                                for k in 0..<count {
                                    acc += hw[wBase + k] * Float(src[s])
                                    s += srcChannels
                                }
                                mid[midRow + ox * srcChannels + c] = acc
                            }
                        }
                    }
                }
                vf.weights.withUnsafeBufferPointer { vw in
                    for oy in 0..<crop {
                        let y = oy + offset
                        let start = vf.starts[y], count = vf.counts[y], wBase = y * vf.maximumTaps
                        for ox in 0..<crop {
                            for c in 0..<srcChannels {
                                var acc: Float = 0
                                var m = (start - rowLo) * crop * srcChannels + ox * srcChannels + c
                                for k in 0..<count {
                                    acc += vw[wBase + k] * mid[m]
                                    m += crop * srcChannels
                                }
                                let rounded = min(255, max(0, (acc + 0.5).rounded(.down)))
                                let q = Int8(truncatingIfNeeded: Int(rounded) - 128)
                                let o = (oy * crop + ox) * Preprocessor.channels
                                if srcChannels == 1 {
                                    output[o] = q; output[o + 1] = q; output[o + 2] = q
                                } else {
                                    output[o + c] = q
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Convenience for tests and tools: the 224x224 RGB crop as 8-bit pixels.
    public mutating func croppedRGB(_ image: Image, region: PixelRect? = nil) -> Image {
        var q = [Int8](repeating: 0, count: Preprocessor.inputCount)
        q.withUnsafeMutableBufferPointer { prepare(image, region: region, into: $0) }
        return Image(width: Preprocessor.cropTo, height: Preprocessor.cropTo, layout: .rgb,
                     pixels: q.map { UInt8(bitPattern: $0) ^ 0x80 })
    }
}
