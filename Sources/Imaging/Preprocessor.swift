import CResample
import Platform

/// Turns an image (or a region of it) into the backbone's int8 input, per the spec in
/// tools/preprocess.py: resize to 256x256 with `ResampleFilter`, centre-crop 224x224, round to
/// 8 bits, then q = u8 - 128 (exactly (u8 - 127) / 128 at scale 1/128, zero point -1).
///
/// Only the 224 rows and columns that survive the crop are computed, straight from the source
/// pixels: no full-size copy. Output rows run in chunks on a `ParallelLoop` (the backbone's
/// pthreadpool in the firmware), each the vertical pass then the horizontal (CResample, vector
/// code); every output value is the same sum in the same order whatever the thread count, so the
/// result is bit-identical to one thread. Filters and buffers are kept
/// for the next call, so a stream of same-size frames allocates nothing.
public struct Preprocessor: Sendable {
    public static let resizeTo = 256
    public static let cropTo = 224
    public static let cropOffset = (resizeTo - cropTo) / 2
    public static let channels = 3

    private var horizontal: ResampleFilter?
    private var vertical: ResampleFilter?
    /// One vertically filtered row per chunk of rows (`ls_resample_scratch_floats` each).
    private var scratch: [Float] = []

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
    /// source is repeated into 3 for the model). Output rows in chunks on `parallel`, each row
    /// by CResample (the vertical pass over the source columns the row needs, then the
    /// horizontal), so no intermediate image is kept.
    private mutating func resample(_ image: Image, roi: PixelRect, size: Int, offset: Int, outputChannels: Int, flip: UInt8,
                                   into output: UnsafeMutablePointer<UInt8>, parallel: any ParallelLoop) {
        if horizontal?.inputSize != roi.width { horizontal = ResampleFilter(inputSize: roi.width, outputSize: Preprocessor.resizeTo) }
        if vertical?.inputSize != roi.height { vertical = ResampleFilter(inputSize: roi.height, outputSize: Preprocessor.resizeTo) }
        let hf = horizontal!, vf = vertical!
        let channels = image.layout.channels
        // Source columns the output columns need.
        var colLo = Int.max, colHi = 0
        for x in offset..<(offset + size) {
            colLo = min(colLo, hf.starts[x])
            colHi = max(colHi, hf.starts[x] + hf.counts[x])
        }
        let scratchFloats = ls_resample_scratch_floats(colHi - colLo, Int32(channels), hf.maximumTaps)
        let chunks = min(parallel.chunksPerStage, size)
        if scratch.count < chunks * scratchFloats { scratch = [Float](repeating: 0, count: chunks * scratchFloats) }
        image.pixels.withUnsafeBufferPointer { src in
            scratch.withUnsafeMutableBufferPointer { scratch in
                hf.weights.withUnsafeBufferPointer { hw in
                    hf.starts.withUnsafeBufferPointer { hStarts in
                        hf.counts.withUnsafeBufferPointer { hCounts in
                            vf.weights.withUnsafeBufferPointer { vw in
                                vf.starts.withUnsafeBufferPointer { vStarts in
                                    vf.counts.withUnsafeBufferPointer { vCounts in
                                        let pass = RowPass(
                                            source: src.baseAddress! + (roi.y * image.width + roi.x) * channels,
                                            stride: image.width * channels, channels: channels, size: size, offset: offset,
                                            chunks: chunks, colLo: colLo, colHi: colHi,
                                            hWeights: hw.baseAddress! + offset * hf.maximumTaps, hStarts: hStarts.baseAddress! + offset,
                                            hCounts: hCounts.baseAddress! + offset, hTaps: hf.maximumTaps,
                                            vWeights: vw.baseAddress!, vStarts: vStarts.baseAddress!, vCounts: vCounts.baseAddress!,
                                            vTaps: vf.maximumTaps, outputChannels: outputChannels, flip: flip,
                                            scratch: scratch.baseAddress!, scratchFloats: scratchFloats, output: output)
                                        parallel.run(chunks, pass)
                                    }
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

/// A chunk of the `size` output rows from `offset` on, row by row through CResample.
private struct RowPass: ParallelBody {
    let source: UnsafePointer<UInt8>  // the region's first pixel
    let stride: Int
    let channels: Int
    let size: Int
    let offset: Int
    let chunks: Int
    let colLo: Int
    let colHi: Int
    let hWeights: UnsafePointer<Float>  // from output column `offset` on
    let hStarts: UnsafePointer<Int>
    let hCounts: UnsafePointer<Int>
    let hTaps: Int
    let vWeights: UnsafePointer<Float>
    let vStarts: UnsafePointer<Int>
    let vCounts: UnsafePointer<Int>
    let vTaps: Int
    let outputChannels: Int
    let flip: UInt8
    let scratch: UnsafeMutablePointer<Float>
    let scratchFloats: Int
    let output: UnsafeMutablePointer<UInt8>

    func run(_ chunk: Int) {
        let rowScratch = scratch + chunk * scratchFloats
        for oy in chunkRange(chunk, of: chunks, total: size) {
            let y = oy + offset
            ls_resample_row(source, stride, Int32(channels), vWeights + y * vTaps, vStarts[y], vCounts[y], colLo, colHi,
                            hWeights, hStarts, hCounts, hTaps, size, Int32(outputChannels), flip, rowScratch,
                            output + oy * size * outputChannels)
        }
    }
}
