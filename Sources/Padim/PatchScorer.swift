import CPadimKernels

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
    public func score(_ features: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                      baselineKernel: Bool = false) {
        precondition(features.count >= geometry.featureCount && out.count >= geometry.positions, "buffers too small")
        let g = geometry
        factor.withUnsafeBufferPointer { f in
            mean.withUnsafeBufferPointer { m in
                if baselineKernel {
                    lineside_padim_distances_baseline(f.baseAddress, m.baseAddress, features.baseAddress, g.groups,
                                                      g.dimensions, out.baseAddress)
                } else {
                    lineside_padim_distances(f.baseAddress, m.baseAddress, features.baseAddress, g.groups, g.dimensions,
                                             out.baseAddress)
                }
            }
        }
    }

    /// Which compiled variant of the kernel runs on this CPU.
    public static var kernelVariant: String { String(cString: lineside_padim_kernel_variant()) }
}
