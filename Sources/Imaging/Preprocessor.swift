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
    /// Rows of the source region filtered horizontally: [sourceRows][224][channels] floats, with 8
    /// floats of slack for the last vector load.
    private var intermediate: [Float] = []
    /// One source row as floats (plus a spare pixel), and one output row before rounding.
    private var sourceRow: [Float] = []
    private var outputRow: [Float] = []

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
        let needed = (rowHi - rowLo) * crop * srcChannels + 8
        if intermediate.count < needed { intermediate = [Float](repeating: 0, count: needed) }

        let width = crop * srcChannels
        if sourceRow.count < (roi.width + 2) * srcChannels { sourceRow = [Float](repeating: 0, count: (roi.width + 2) * srcChannels) }
        if outputRow.count < width { outputRow = [Float](repeating: 0, count: width + 8) }
        image.pixels.withUnsafeBufferPointer { src in
            intermediate.withUnsafeMutableBufferPointer { mid in
                sourceRow.withUnsafeMutableBufferPointer { rowF in
                    hf.weights.withUnsafeBufferPointer { hw in
                        for row in rowLo..<rowHi {
                            // The region's row as floats, once (not once per tap).
                            let srcRow = (roi.y + row) * image.width * srcChannels + roi.x * srcChannels
                            for i in 0..<(roi.width * srcChannels) { rowF[i] = Float(src[srcRow + i]) }
                            let midRow = (row - rowLo) * width
                            for ox in 0..<crop {
                                let x = ox + offset
                                let start = hf.starts[x], count = hf.counts[x], wBase = x * hf.maximumTaps
                                if srcChannels == 3 {
                                    // R, G, B in three lanes of one vector (the fourth is the next
                                    // pixel's R, ignored; the row buffer has a spare pixel for it).
                                    var acc = SIMD4<Float>()
                                    let raw = UnsafeRawPointer(rowF.baseAddress!)
                                    for k in 0..<count {
                                        let v = raw.loadUnaligned(fromByteOffset: (start + k) * 12, as: SIMD4<Float>.self)
                                        acc += SIMD4(repeating: hw[wBase + k]) * v
                                    }
                                    mid[midRow + ox * 3] = acc[0]
                                    mid[midRow + ox * 3 + 1] = acc[1]
                                    mid[midRow + ox * 3 + 2] = acc[2]
                                } else {
                                    var acc: Float = 0
                                    for k in 0..<count { acc += hw[wBase + k] * rowF[start + k] }
                                    mid[midRow + ox] = acc
                                }
                            }
                        }
                    }
                }
                outputRow.withUnsafeMutableBufferPointer { acc in
                    vf.weights.withUnsafeBufferPointer { vw in
                        let midRaw = UnsafeRawPointer(mid.baseAddress!), accRaw = UnsafeMutableRawPointer(acc.baseAddress!)
                        for oy in 0..<crop {
                            let y = oy + offset
                            let start = vf.starts[y], count = vf.counts[y], wBase = y * vf.maximumTaps
                            // The whole output row, 8 values per vector, taps in the same order as
                            // one value at a time (same sums, bit for bit).
                            var i = 0
                            while i < width {
                                var sum = SIMD8<Float>()
                                for k in 0..<count {
                                    let v = midRaw.loadUnaligned(fromByteOffset: ((start - rowLo + k) * width + i) * 4, as: SIMD8<Float>.self)
                                    sum += SIMD8(repeating: vw[wBase + k]) * v
                                }
                                accRaw.storeBytes(of: sum, toByteOffset: i * 4, as: SIMD8<Float>.self)
                                i += 8
                            }
                            let o = oy * crop * Preprocessor.channels
                            for j in 0..<width {
                                // floor(x + 0.5) clamped to 0...255, as a truncating conversion of the
                                // clamped value (no floorf call: baseline x86-64 has no roundss).
                                let q = Int8(truncatingIfNeeded: Int(min(255, max(0, acc[j] + 0.5))) - 128)
                                if srcChannels == 1 {
                                    output[o + j * 3] = q; output[o + j * 3 + 1] = q; output[o + j * 3 + 2] = q
                                } else {
                                    output[o + j] = q
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
