import CPadimKernels
import Platform

/// Computes every patch's Mahalanobis distance for one image with the C kernel, on the model
/// re-laid out once at load as [groups][...][8] (8 patches per SIMD lane). Buffers are allocated
/// at init; `score` allocates nothing.
public struct PatchScorer: Sendable {
    public let geometry: PatchGeometry
    private let factor: [UInt16]    // [groups][triangle][8]
    private let mean: [UInt16]      // [groups][d][8]

    public init(model: PadimModelData) {
        let g = model.geometry, lanes = PatchGeometry.lanes
        var factor = [UInt16](repeating: 0, count: g.positions * g.triangle)
        var mean = [UInt16](repeating: 0, count: g.positions * g.dimensions)
        for p in 0..<g.positions {
            let group = p / lanes, lane = p % lanes
            for t in 0..<g.triangle { factor[(group * g.triangle + t) * lanes + lane] = model.factor.bits[p * g.triangle + t] }
            for c in 0..<g.dimensions { mean[(group * g.dimensions + c) * lanes + lane] = model.mean.bits[p * g.dimensions + c] }
        }
        geometry = g
        self.factor = factor
        self.mean = mean
    }

    /// Distances for all positions, row-major [gridHeight][gridWidth], from interleaved features.
    /// Groups of 8 positions are split into contiguous chunks run on `parallel` (each chunk one call
    /// of the C kernel on its own slice of the model, the features and the output).
    public func score(_ features: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                      parallel: any ParallelLoop = SerialLoop.shared, baselineKernel: Bool = false) {
        precondition(features.count >= geometry.featureCount && out.count >= geometry.positions, "buffers too small")
        factor.withUnsafeBufferPointer { f in
            mean.withUnsafeBufferPointer { m in
                let chunks = min(parallel.chunksPerStage, geometry.groups)
                parallel.run(chunks, DistanceChunks(geometry: geometry, chunks: chunks, factor: f.baseAddress!, mean: m.baseAddress!,
                                                    features: features.baseAddress!, out: out.baseAddress!,
                                                    baseline: baselineKernel, sums: nil))
            }
        }
    }

    /// Bytes of model the kernel reads per image (factor and mean, float16).
    public var modelBytes: Int { (factor.count + mean.count) * 2 }

    /// Reads the model once, split over `parallel` like `score`, doing nothing else: the memory
    /// floor of `score` (benchmarks time the two in the same place of the frame, so both find the
    /// caches in the same state). Writes meaningless sums into `sums` so the reads are kept.
    public func readModel(parallel: any ParallelLoop = SerialLoop.shared, sums: UnsafeMutableBufferPointer<UInt64>) {
        factor.withUnsafeBufferPointer { f in
            mean.withUnsafeBufferPointer { m in
                let chunks = min(parallel.chunksPerStage, geometry.groups, sums.count)
                parallel.run(chunks, DistanceChunks(geometry: geometry, chunks: chunks, factor: f.baseAddress!, mean: m.baseAddress!,
                                                    features: nil, out: nil, baseline: false, sums: sums.baseAddress!))
            }
        }
    }

    /// Which compiled variant of the kernel runs on this CPU.
    public static var kernelVariant: String { String(cString: lineside_padim_kernel_variant()) }
}

/// One chunk of groups: the C kernel on its slice (or, with `sums`, only the slice's reads).
private struct DistanceChunks: ParallelBody {
    let geometry: PatchGeometry
    let chunks: Int
    let factor: UnsafePointer<UInt16>
    let mean: UnsafePointer<UInt16>
    let features: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>?
    let baseline: Bool
    let sums: UnsafeMutablePointer<UInt64>?

    func run(_ chunk: Int) {
        let g = geometry, lanes = PatchGeometry.lanes
        let range = chunkRange(chunk, of: chunks, total: g.groups)
        let g0 = range.lowerBound, n = range.count
        let fp = factor + g0 * g.triangle * lanes, mp = mean + g0 * g.dimensions * lanes
        if let sums {
            sums[chunk] = lineside_memory_read(fp, n * g.triangle * lanes * 2) &+ lineside_memory_read(mp, n * g.dimensions * lanes * 2)
            return
        }
        let xp = features! + g0 * g.dimensions * lanes, op = out! + g0 * lanes
        if baseline {
            lineside_padim_distances_baseline(fp, mp, xp, n, g.dimensions, op)
        } else {
            lineside_padim_distances(fp, mp, xp, n, g.dimensions, op)
        }
    }
}
