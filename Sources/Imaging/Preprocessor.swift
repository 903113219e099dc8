import Platform

/// Turns an image (or a region of it) into the backbone's int8 input, per the spec in
/// tools/preprocess.py: resize to 256x256 with `ResampleFilter`, centre-crop 224x224, round to
/// 8 bits, then q = u8 - 128 (exactly (u8 - 127) / 128 at scale 1/128, zero point -1).
///
/// Only the 224 rows and columns that survive the crop are computed, straight from the source
/// pixels: no full-size copy. Both passes run in row chunks on a `ParallelLoop` (the backbone's
/// pthreadpool in the firmware); every output value is the same sum in the same order whatever
/// the thread count, so the result is bit-identical to one thread. Filters and buffers are kept
/// for the next call, so a stream of same-size frames allocates nothing.
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
    /// One source row as floats (plus a spare pixel and vector slack) per chunk of rows.
    private var sourceRows: [Float] = []

    public init() {}

    /// Bytes of the model input, 224 * 224 * 3, NHWC.
    public static var inputCount: Int { cropTo * cropTo * channels }

    /// Writes the model input for `region` of `image` (the whole image when nil) into `output`,
    /// which must hold `inputCount` Int8 values.
    public mutating func prepare(_ image: Image, region: PixelRect? = nil, into output: UnsafeMutableBufferPointer<Int8>,
                                 parallel: any ParallelLoop = SerialLoop.shared) {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        precondition(roi.fits(width: image.width, height: image.height), "region lies outside the image")
        precondition(output.count >= Preprocessor.inputCount, "output too small")
        output.withMemoryRebound(to: UInt8.self) { bytes in
            if roi.width == Preprocessor.resizeTo && roi.height == Preprocessor.resizeTo {
                // Already the resize's size: the filter is one tap of weight 1 (a copy), so crop.
                Self.cropToInput(image, origin: (roi.x + Preprocessor.cropOffset, roi.y + Preprocessor.cropOffset), into: bytes.baseAddress!)
            } else {
                resample(image, roi: roi, size: Preprocessor.cropTo, offset: Preprocessor.cropOffset,
                         outputChannels: Preprocessor.channels, flip: 0x80, into: bytes.baseAddress!, parallel: parallel)
            }
        }
    }

    /// Bytes of a resized view of an image with `channels` channels: 256 * 256 * channels.
    public static func viewCount(channels: Int) -> Int { resizeTo * resizeTo * channels }

    /// The whole 256x256 resize of `region` (the same filter and sums as `prepare`, whose output is
    /// this view's centre crop), as 8-bit pixels in the image's own layout, into `output`
    /// (`viewCount(channels:)` bytes): what position correction warps before the crop.
    public mutating func resizeToView(_ image: Image, region: PixelRect? = nil, into output: UnsafeMutableBufferPointer<UInt8>,
                                      parallel: any ParallelLoop = SerialLoop.shared) {
        let roi = region ?? PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        precondition(roi.fits(width: image.width, height: image.height), "region lies outside the image")
        let channels = image.layout.channels
        precondition(output.count >= Self.viewCount(channels: channels), "output too small")
        resample(image, roi: roi, size: Preprocessor.resizeTo, offset: 0, outputChannels: channels, flip: 0,
                 into: output.baseAddress!, parallel: parallel)
    }

    /// The 224 crop at `origin` of an image at the resize's size, to the model input.
    private static func cropToInput(_ image: Image, origin: (x: Int, y: Int), into out: UnsafeMutablePointer<UInt8>) {
        let crop = cropTo, channels = image.layout.channels
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<crop {
                let row = src.baseAddress! + ((origin.y + y) * image.width + origin.x) * channels, o = out + y * crop * 3
                if channels == 3 {
                    for i in 0..<(crop * 3) { o[i] = row[i] ^ 0x80 }
                } else {
                    for x in 0..<crop { let q = row[x] ^ 0x80; o[3 * x] = q; o[3 * x + 1] = q; o[3 * x + 2] = q }
                }
            }
        }
    }

    /// The resize of `roi` to 256x256, only its `size` rows and columns from `offset` on, rounded
    /// to 8 bits, XOR `flip` (0x80: the model's q = u8 - 128), `outputChannels` per pixel (a grey
    /// source is repeated into 3 for the model).
    private mutating func resample(_ image: Image, roi: PixelRect, size: Int, offset: Int, outputChannels: Int, flip: UInt8,
                                   into output: UnsafeMutablePointer<UInt8>, parallel: any ParallelLoop) {
        if horizontal?.inputSize != roi.width { horizontal = ResampleFilter(inputSize: roi.width, outputSize: Preprocessor.resizeTo) }
        if vertical?.inputSize != roi.height { vertical = ResampleFilter(inputSize: roi.height, outputSize: Preprocessor.resizeTo) }
        let hf = horizontal!, vf = vertical!
        let srcChannels = image.layout.channels
        // Source rows the output rows need.
        var rowLo = Int.max, rowHi = 0
        for y in offset..<(offset + size) {
            rowLo = min(rowLo, vf.starts[y])
            rowHi = max(rowHi, vf.starts[y] + vf.counts[y])
        }
        let needed = (rowHi - rowLo) * size * srcChannels + 8
        if intermediate.count < needed { intermediate = [Float](repeating: 0, count: needed) }

        let width = size * srcChannels
        let chunks = parallel.chunksPerStage
        let rowStride = (roi.width + 2) * srcChannels + 16
        if sourceRows.count < chunks * rowStride { sourceRows = [Float](repeating: 0, count: chunks * rowStride) }
        image.pixels.withUnsafeBufferPointer { src in
            intermediate.withUnsafeMutableBufferPointer { mid in
                sourceRows.withUnsafeMutableBufferPointer { rows in
                    hf.weights.withUnsafeBufferPointer { hw in
                        hf.starts.withUnsafeBufferPointer { hStarts in
                            hf.counts.withUnsafeBufferPointer { hCounts in
                                let pass = HorizontalPass(
                                    source: src.baseAddress!, imageWidth: image.width, roi: roi, channels: srcChannels,
                                    size: size, offset: offset,
                                    rowLo: rowLo, rowCount: rowHi - rowLo, chunks: chunks, rows: rows.baseAddress!, rowStride: rowStride,
                                    mid: mid.baseAddress!, width: width, weights: hw.baseAddress!, starts: hStarts.baseAddress!,
                                    counts: hCounts.baseAddress!, maximumTaps: hf.maximumTaps)
                                parallel.run(min(chunks, rowHi - rowLo), pass)
                            }
                        }
                    }
                }
                vf.weights.withUnsafeBufferPointer { vw in
                    vf.starts.withUnsafeBufferPointer { vStarts in
                        vf.counts.withUnsafeBufferPointer { vCounts in
                            let pass = VerticalPass(
                                mid: UnsafePointer(mid.baseAddress!), rowLo: rowLo, width: width, channels: srcChannels,
                                size: size, offset: offset, outputChannels: outputChannels, flip: flip, chunks: chunks,
                                weights: vw.baseAddress!, starts: vStarts.baseAddress!, counts: vCounts.baseAddress!,
                                maximumTaps: vf.maximumTaps, output: output)
                            parallel.run(chunks, pass)
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

/// The horizontal pass over a chunk of source rows: each row to floats once, then the `size`
/// output columns from `offset` on, into the intermediate buffer.
private struct HorizontalPass: ParallelBody {
    let source: UnsafePointer<UInt8>
    let imageWidth: Int
    let roi: PixelRect
    let channels: Int
    let size: Int
    let offset: Int
    let rowLo: Int
    let rowCount: Int
    let chunks: Int
    let rows: UnsafeMutablePointer<Float>
    let rowStride: Int
    let mid: UnsafeMutablePointer<Float>
    let width: Int
    let weights: UnsafePointer<Float>
    let starts: UnsafePointer<Int>
    let counts: UnsafePointer<Int>
    let maximumTaps: Int

    func run(_ chunk: Int) {
        let crop = size
        let rowF = rows + chunk * rowStride
        let raw = UnsafeRawPointer(rowF)
        let values = roi.width * channels
        for r in chunkRange(chunk, of: min(chunks, rowCount), total: rowCount) {
            // The region's row as floats, once (not once per tap).
            let srcRow = source + ((roi.y + rowLo + r) * imageWidth + roi.x) * channels
            for i in 0..<values { rowF[i] = Float(srcRow[i]) }
            let midRow = mid + r * width
            if channels == 3 {
                for ox in 0..<crop {
                    let x = ox + offset
                    let start = starts[x], count = counts[x], wBase = x * maximumTaps
                    // R, G, B in three lanes of one vector (the fourth is the next pixel's R,
                    // ignored; the row buffer has a spare pixel for it).
                    // Wrapping arithmetic in the tap loops: indices come from the filter, which
                    // keeps them inside the row, and overflow checks cost a third of the loop.
                    var acc = SIMD4<Float>()
                    let pixel = raw + start &* 12, w = weights + wBase
                    for k in 0..<count {
                        acc += SIMD4(repeating: w[k]) * pixel.loadUnaligned(fromByteOffset: k &* 12, as: SIMD4<Float>.self)
                    }
                    midRow[ox * 3] = acc[0]
                    midRow[ox * 3 + 1] = acc[1]
                    midRow[ox * 3 + 2] = acc[2]
                }
            } else {
                for ox in 0..<crop {
                    let x = ox + offset
                    let start = starts[x], count = counts[x], wBase = x * maximumTaps
                    var acc: Float = 0
                    let pixel = rowF + start, w = weights + wBase
                    for k in 0..<count { acc += w[k] * pixel[k] }
                    midRow[ox] = acc
                }
            }
        }
    }
}

/// The vertical pass over a chunk of the `size` output rows from `offset` on, 8 values per
/// vector, rounded to 8 bits (XOR `flip`) on the way out.
private struct VerticalPass: ParallelBody {
    let mid: UnsafePointer<Float>
    let rowLo: Int
    let width: Int
    let channels: Int
    let size: Int
    let offset: Int
    let outputChannels: Int
    let flip: UInt8
    let chunks: Int
    let weights: UnsafePointer<Float>
    let starts: UnsafePointer<Int>
    let counts: UnsafePointer<Int>
    let maximumTaps: Int
    let output: UnsafeMutablePointer<UInt8>

    func run(_ chunk: Int) {
        let crop = size
        let midRaw = UnsafeRawPointer(mid)
        for oy in chunkRange(chunk, of: chunks, total: crop) {
            let y = oy + offset
            let start = starts[y], count = counts[y], wBase = y * maximumTaps
            let o = oy * crop * outputChannels
            // Taps in the same order as one value at a time (same sums, bit for bit).
            var i = 0
            while i < width {
                var sum = SIMD8<Float>()
                let column = midRaw + ((start - rowLo) &* width &+ i) &* 4, w = weights + wBase, rowBytes = width &* 4
                for k in 0..<count {
                    sum += SIMD8(repeating: w[k]) * column.loadUnaligned(fromByteOffset: k &* rowBytes, as: SIMD8<Float>.self)
                }
                // floor(x + 0.5) clamped to 0...255, as a truncating conversion of the clamped value
                // (no floorf call: baseline x86-64 has no roundss). Lane by lane: Int32(Float) is one
                // cvttss2si, the SIMD conversion initialiser a generic call per lane.
                let clamped = (sum + 0.5).clamped(lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: 255))
                if channels == 1 && outputChannels == 3 {
                    for l in 0..<8 {
                        let q = UInt8(truncatingIfNeeded: Int32(clamped[l])) ^ flip, j = o + (i + l) * 3
                        output[j] = q; output[j + 1] = q; output[j + 2] = q
                    }
                } else {
                    for l in 0..<8 { output[o + i + l] = UInt8(truncatingIfNeeded: Int32(clamped[l])) ^ flip }
                }
                i += 8
            }
        }
    }
}
