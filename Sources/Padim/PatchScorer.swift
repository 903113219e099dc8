import CPadimKernels
import Platform

/// How the scorer holds the whitening factor W in memory (the model file always stores float16).
public enum FactorEncoding: String, Sendable, CaseIterable {
    /// The file's float16 values as they are: 32.3 MB read per frame at 56x56, d = 100.
    case float16
    /// int8 with one float16 scale per row of W and patch (scale = max |W_ij| / 127 over the row,
    /// rounded up to float16): 16.2 MB + 0.6 MB of scales per frame. Quantised once at load; the
    /// kernel rounds x - mean to int16 and sums the products in integers.
    case int8
}

/// Computes every patch's Mahalanobis distance for one image with the C kernel, on the model
/// re-laid out once at load as [groups][...][8] (8 patches per SIMD lane). Buffers are allocated
/// at init; `score` allocates nothing.
public struct PatchScorer: Sendable {
    public let geometry: PatchGeometry
    public let encoding: FactorEncoding
    private let factor: [UInt16]    // float16: [groups][triangle][8]
    private let factor8: [Int8]     // int8: [groups][pairs][8][2] (CPadimKernels.h)
    private let scales: [UInt16]    // int8: [groups][d][8] float16 bits
    private let mean: [UInt16]      // [groups][d][8]

    public init(model: PadimModelData, encoding: FactorEncoding = .float16) {
        let g = model.geometry, lanes = PatchGeometry.lanes, d = g.dimensions
        var mean = [UInt16](repeating: 0, count: g.positions * d)
        for p in 0..<g.positions {
            let group = p / lanes, lane = p % lanes
            for c in 0..<d { mean[(group * d + c) * lanes + lane] = model.mean.bits[p * d + c] }
        }
        var factor: [UInt16] = [], factor8: [Int8] = [], scales: [UInt16] = []
        switch encoding {
        case .float16:
            factor = [UInt16](repeating: 0, count: g.positions * g.triangle)
            for p in 0..<g.positions {
                let group = p / lanes, lane = p % lanes
                for t in 0..<g.triangle { factor[(group * g.triangle + t) * lanes + lane] = model.factor.bits[p * g.triangle + t] }
            }
        case .int8:
            let pairs = lineside_padim_i8_pairs(d)
            factor8 = [Int8](repeating: 0, count: g.groups * pairs * lanes * 2)
            scales = [UInt16](repeating: 0, count: g.positions * d)
            var row = [Float](repeating: 0, count: g.triangle)
            model.factor.bits.withUnsafeBufferPointer { bits in
                for p in 0..<g.positions {
                    let group = p / lanes, lane = p % lanes
                    row.withUnsafeMutableBufferPointer { lineside_f16_to_f32(bits.baseAddress! + p * g.triangle, $0.baseAddress!, g.triangle) }
                    var pairStart = 0  // row i's first pair
                    for i in 0..<d {
                        let first = i * (i + 1) / 2
                        defer { pairStart += (i + 2) / 2 }
                        var largest: Float = 0
                        for j in 0...i { largest = max(largest, abs(row[first + j])) }
                        let scale = Self.rowScale(largest: largest)
                        scales[(group * d + i) * lanes + lane] = scale.bitPattern
                        let step = Float(scale)
                        for j in 0...i {
                            let q = (row[first + j] / step).rounded(.toNearestOrEven)
                            factor8[((group * pairs + pairStart + j / 2) * lanes + lane) * 2 + j % 2] = Int8(max(-127, min(127, q)))
                        }
                    }
                }
            }
        }
        geometry = g
        self.encoding = encoding
        self.factor = factor
        self.factor8 = factor8
        self.scales = scales
        self.mean = mean
    }

    /// Distances for all positions, row-major [gridHeight][gridWidth], from interleaved features.
    /// Groups of 8 positions are split into contiguous chunks run on `parallel` (each chunk one call
    /// of the C kernel on its own slice of the model, the features and the output).
    public func score(_ features: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                      parallel: any ParallelLoop = SerialLoop.shared, baselineKernel: Bool = false) {
        precondition(features.count >= geometry.featureCount && out.count >= geometry.positions, "buffers too small")
        withModel { model in
            let chunks = min(parallel.chunksPerStage, geometry.groups)
            parallel.run(chunks, DistanceChunks(geometry: geometry, chunks: chunks, model: model, features: features.baseAddress!,
                                                taps: nil, out: out.baseAddress!, baseline: baselineKernel, sums: nil))
        }
    }

    /// Distances straight from the backbone's int8 taps (`TapFeatures`), with no gathered feature
    /// block: equal to the bit to `score` on what `PatchFeatureGatherer.gather` writes. The int8
    /// factor only (the float16 one keeps the gather).
    public func score(taps: TapFeatures, into out: UnsafeMutableBufferPointer<Float>, parallel: any ParallelLoop = SerialLoop.shared) {
        precondition(encoding == .int8, "the taps are read by the int8 kernel only")
        precondition(taps.geometry == geometry && out.count >= geometry.positions, "taps or buffer do not match the model")
        withModel { model in
            taps.taps.withUnsafeBufferPointer { list in
                taps.sourceMaps.withUnsafeBufferPointer { maps in
                    taps.sourceChannels.withUnsafeBufferPointer { channels in
                        let chunks = min(parallel.chunksPerStage, geometry.groups)
                        parallel.run(chunks, DistanceChunks(geometry: geometry, chunks: chunks, model: model, features: nil,
                                                            taps: TapPointers(list: list.baseAddress!, count: list.count,
                                                                              maps: maps.baseAddress!, channels: channels.baseAddress!),
                                                            out: out.baseAddress!, baseline: false, sums: nil))
                    }
                }
            }
        }
    }

    /// Bytes of model the kernel reads per image (factor, its scales and the mean).
    public var modelBytes: Int { factor.count * 2 + factor8.count + scales.count * 2 + mean.count * 2 }

    /// The float16 scale of a row of W whose largest magnitude is `largest`: largest / 127 rounded
    /// up, so every weight of the row divided by it stays within +-127 (the int8 values then use
    /// the whole range less at most a float16 step, 1 part in 1024; a row of zeros gets 1). The
    /// factor's values are float16 themselves (at most 65504), so the scale never overflows, and a
    /// row too small for a normal float16 scale keeps a subnormal one, still >= its largest / 127.
    static func rowScale(largest: Float) -> Float16 {
        guard largest > 0 else { return 1 }
        var scale = Float16(largest / 127)
        if Float(scale) * 127 < largest { scale = scale.nextUp }
        return scale
    }

    private func withModel(_ body: (ModelPointers) -> Void) {
        factor.withUnsafeBufferPointer { f in
            factor8.withUnsafeBufferPointer { f8 in
                scales.withUnsafeBufferPointer { s in
                    mean.withUnsafeBufferPointer { m in
                        let int8 = encoding == .int8
                        body(ModelPointers(factor: int8 ? nil : f.baseAddress, factor8: int8 ? f8.baseAddress : nil,
                                           scales: int8 ? s.baseAddress : nil, mean: m.baseAddress!))
                    }
                }
            }
        }
    }

    /// Reads the model once, split over `parallel` like `score`, doing nothing else: the memory
    /// floor of `score` (benchmarks time the two in the same place of the frame, so both find the
    /// caches in the same state). Writes meaningless sums into `sums` so the reads are kept.
    public func readModel(parallel: any ParallelLoop = SerialLoop.shared, sums: UnsafeMutableBufferPointer<UInt64>) {
        withModel { model in
            let chunks = min(parallel.chunksPerStage, geometry.groups, sums.count)
            parallel.run(chunks, DistanceChunks(geometry: geometry, chunks: chunks, model: model, features: nil, taps: nil,
                                                out: nil, baseline: false, sums: sums.baseAddress!))
        }
    }

    /// Which compiled variant of the kernel runs on this CPU.
    public static var kernelVariant: String { String(cString: lineside_padim_kernel_variant()) }
}

/// The scorer's arrays as pointers (the factor of the encoding not in use is nil).
private struct ModelPointers {
    let factor: UnsafePointer<UInt16>?
    let factor8: UnsafePointer<Int8>?
    let scales: UnsafePointer<UInt16>?
    let mean: UnsafePointer<UInt16>
}

/// `TapFeatures`' arrays as pointers.
private struct TapPointers {
    let list: UnsafePointer<lineside_tap>
    let count: Int
    let maps: UnsafePointer<UInt8>
    let channels: UnsafePointer<Int32>
}

/// One chunk of groups: the C kernel on its slice (or, with `sums`, only the slice's reads).
private struct DistanceChunks: ParallelBody {
    let geometry: PatchGeometry
    let chunks: Int
    let model: ModelPointers
    let features: UnsafePointer<Float>?
    let taps: TapPointers?
    let out: UnsafeMutablePointer<Float>?
    let baseline: Bool
    let sums: UnsafeMutablePointer<UInt64>?

    func run(_ chunk: Int) {
        let g = geometry, lanes = PatchGeometry.lanes, d = g.dimensions
        let range = chunkRange(chunk, of: chunks, total: g.groups)
        let g0 = range.lowerBound, n = range.count
        let mp = model.mean + g0 * d * lanes
        if let sums {
            var sum = lineside_memory_read(mp, n * d * lanes * 2)
            if let f = model.factor { sum &+= lineside_memory_read(f + g0 * g.triangle * lanes, n * g.triangle * lanes * 2) }
            if let f = model.factor8, let s = model.scales {
                let pairs = lineside_padim_i8_pairs(d)
                sum &+= lineside_memory_read(f + g0 * pairs * lanes * 2, n * pairs * lanes * 2)
                sum &+= lineside_memory_read(s + g0 * d * lanes, n * d * lanes * 2)
            }
            sums[chunk] = sum
            return
        }
        let op = out! + g0 * lanes
        if let taps, let f = model.factor8, let s = model.scales {
            lineside_padim_distances_i8_taps(f + g0 * lineside_padim_i8_pairs(d) * lanes * 2, s + g0 * d * lanes, mp, taps.list, taps.count,
                                             taps.maps, taps.channels, g.gridHeight, g.gridWidth, g0, n, d, op)
            return
        }
        let xp = features! + g0 * d * lanes
        if let f = model.factor8, let s = model.scales {
            lineside_padim_distances_i8(f + g0 * lineside_padim_i8_pairs(d) * lanes * 2, s + g0 * d * lanes, mp, xp, n, d, op)
        } else if baseline {
            lineside_padim_distances_baseline(model.factor! + g0 * g.triangle * lanes, mp, xp, n, d, op)
        } else {
            lineside_padim_distances(model.factor! + g0 * g.triangle * lanes, mp, xp, n, d, op)
        }
    }
}
