/// Streams good images into per-patch sums, so a fit's memory does not depend on how many images
/// it sees: per position the sum of (x - K) and the lower triangle of the sum of (x - K)(x - K)^T,
/// in float64, with K the first image's features (the shifted-data algorithm: sums stay small,
/// so E[xx^T] - mu mu^T does not cancel catastrophically).
///
/// Memory: positions * (d + d(d+1)/2) doubles = 129 MB for 56x56 patches and d = 100.
public struct FitAccumulator: Sendable {
    public let geometry: PatchGeometry
    public private(set) var count = 0
    private var shift: [Double]       // [positions][d]
    private var sum: [Double]         // [positions][d]
    private var outer: [Double]       // [positions][triangle]
    private var centred: [Double]     // scratch, [d]

    public init(geometry: PatchGeometry) {
        self.geometry = geometry
        shift = [Double](repeating: 0, count: geometry.positions * geometry.dimensions)
        sum = shift
        outer = [Double](repeating: 0, count: geometry.positions * geometry.triangle)
        centred = [Double](repeating: 0, count: geometry.dimensions)
    }

    /// Adds one image's features (interleaved [groups][d][8] layout from `PatchFeatureGatherer`).
    public mutating func add(_ features: UnsafeBufferPointer<Float>) {
        precondition(features.count >= geometry.featureCount, "feature block too small")
        let d = geometry.dimensions, tri = geometry.triangle, lanes = PatchGeometry.lanes
        let first = count == 0
        shift.withUnsafeMutableBufferPointer { shift in
        sum.withUnsafeMutableBufferPointer { sum in
        outer.withUnsafeMutableBufferPointer { outer in
        centred.withUnsafeMutableBufferPointer { v in
            for p in 0..<geometry.positions {
                let base = (p / lanes) * d * lanes + p % lanes
                if first {
                    for c in 0..<d { shift[p * d + c] = Double(features[base + c * lanes]) }
                }
                for c in 0..<d {
                    let x = Double(features[base + c * lanes]) - shift[p * d + c]
                    v[c] = x
                    sum[p * d + c] += x
                }
                var k = p * tri
                for i in 0..<d {
                    let vi = v[i]
                    for j in 0...i {
                        outer[k + j] += vi * v[j]
                    }
                    k += i + 1
                }
            }
        }
        }
        }
        }
        count += 1
    }

    /// Mean and the lower triangle of covariance + epsilon * I (row-major d x d) at one position.
    public func statistics(position p: Int, epsilon: Double, mean: inout [Double], covariance: inout [Double]) {
        let d = geometry.dimensions, n = Double(count)
        var k = p * geometry.triangle
        for c in 0..<d { mean[c] = shift[p * d + c] + sum[p * d + c] / n }
        for i in 0..<d {
            for j in 0...i {
                let value = (outer[k + j] - sum[p * d + i] * sum[p * d + j] / n) / (n - 1)
                covariance[i * d + j] = value + (i == j ? epsilon : 0)
            }
            k += i + 1
        }
    }

    /// The fitted model: mean and W = L^-1 with L the Cholesky factor of the covariance (N - 1
    /// normalisation) plus `epsilon` * I, both rounded to float16. All positions at once; the
    /// service uses `FitFinisher` to spread the work over its loop instead.
    public func finish(epsilon: Double = 0.01) throws(PadimError) -> PadimModelData {
        var finisher = try FitFinisher(self, epsilon: epsilon)
        while try !finisher.step(positions: geometry.positions) {}
        return finisher.result!
    }
}

/// Turns a `FitAccumulator` into the model a few positions at a time (about 0.5 ms per position on
/// x86_64, a few ms on a Pi), so a service loop can keep serving frames and its watchdog meanwhile.
public struct FitFinisher: Sendable {
    public let accumulator: FitAccumulator
    public let epsilon: Double
    public private(set) var nextPosition = 0
    private var mean: [Float]
    /// Float16 bits, written position by position (a float32 copy would add 63 MB at 56x56, d 100).
    private var factor: [UInt16]
    private var rowScratch: [Float]
    private var covariance: [Double]
    private var inverse: [Double]
    private var mean64: [Double]

    public init(_ accumulator: FitAccumulator, epsilon: Double = 0.01) throws(PadimError) {
        guard accumulator.count >= 2 else { throw .tooFewImages(accumulator.count) }
        let g = accumulator.geometry, d = g.dimensions
        self.accumulator = accumulator
        self.epsilon = epsilon
        mean = [Float](repeating: 0, count: g.positions * d)
        factor = [UInt16](repeating: 0, count: g.positions * g.triangle)
        rowScratch = [Float](repeating: 0, count: g.triangle)
        covariance = [Double](repeating: 0, count: d * d)
        inverse = covariance
        mean64 = [Double](repeating: 0, count: d)
    }

    public var progress: Double { Double(nextPosition) / Double(accumulator.geometry.positions) }

    /// Finishes up to `positions` more positions; true when the model is complete.
    public mutating func step(positions: Int) throws(PadimError) -> Bool {
        let g = accumulator.geometry, d = g.dimensions, tri = g.triangle
        let end = min(g.positions, nextPosition + positions)
        for p in nextPosition..<end {
            accumulator.statistics(position: p, epsilon: epsilon, mean: &mean64, covariance: &covariance)
            for c in 0..<d { mean[p * d + c] = Float(mean64[c]) }
            let ok = covariance.withUnsafeMutableBufferPointer { a in
                inverse.withUnsafeMutableBufferPointer { inv in
                    Cholesky.factor(a, d) && { Cholesky.invertLower(a, d, into: inv); return true }()
                }
            }
            guard ok else { throw .notPositiveDefinite(position: p) }
            var t = 0
            for i in 0..<d {
                for j in 0...i { rowScratch[t] = Float(inverse[i * d + j]); t += 1 }
            }
            factor.withUnsafeMutableBufferPointer { out in
                Float16Buffer.convert(rowScratch, into: UnsafeMutableBufferPointer(rebasing: out[(p * tri)..<((p + 1) * tri)]))
            }
        }
        nextPosition = end
        return nextPosition == g.positions
    }

    /// The model once `step` has returned true.
    public var result: PadimModelData? {
        guard nextPosition == accumulator.geometry.positions else { return nil }
        return PadimModelData(geometry: accumulator.geometry, mean: Float16Buffer(mean), factor: Float16Buffer(bits: factor))
    }
}

/// Dense lower-triangular Cholesky helpers in float64 (row-major d x d).
public enum Cholesky {
    /// Overwrites the lower triangle of `a` with L such that A = L L^T. False if A is not
    /// positive definite.
    public static func factor(_ a: UnsafeMutableBufferPointer<Double>, _ d: Int) -> Bool {
        for j in 0..<d {
            var diagonal = a[j * d + j]
            for k in 0..<j { diagonal -= a[j * d + k] * a[j * d + k] }
            guard diagonal > 0, diagonal.isFinite else { return false }
            let ljj = diagonal.squareRoot()
            a[j * d + j] = ljj
            for i in (j + 1)..<max(j + 1, d) {
                var s = a[i * d + j]
                for k in 0..<j { s -= a[i * d + k] * a[j * d + k] }
                a[i * d + j] = s / ljj
            }
        }
        return true
    }

    /// The inverse of the lower-triangular factor in `l` into the lower triangle of `inv`
    /// (forward substitution, row by row so the inner loop runs along contiguous memory).
    public static func invertLower(_ l: UnsafeMutableBufferPointer<Double>, _ d: Int, into inv: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<(d * d) { inv[i] = 0 }
        for i in 0..<d {
            let lii = l[i * d + i]
            inv[i * d + i] = 1 / lii
            // Row i of L^-1: inv[i][j] = -(sum_{k=j}^{i-1} l[i][k] inv[k][j]) / l[i][i] for j < i.
            for k in 0..<i {
                let lik = l[i * d + k]
                for j in 0...k { inv[i * d + j] -= lik * inv[k * d + j] }
            }
            for j in 0..<i { inv[i * d + j] /= lii }
        }
    }
}
