import Platform

/// Turns the patch-distance grid into the localisation map and the image score: bilinear upsample
/// (half-pixel centres, edges clamped, like torch's align_corners=False) to the input size, then a
/// Gaussian blur (sigma 4, radius 4 sigma, 'reflect' borders like scipy.ndimage); the image score is
/// the map's maximum.
///
/// Both steps are linear and separable, so along each axis they are one banded matrix M = B U
/// (blur after upsample, reflection included), computed once in float64: map = M_y G M_x^T. Each
/// output sample reads about 11 grid samples instead of 33 upsampled ones, and the vertical pass
/// runs 8 columns per SIMD lane with the maximum taken on the way. Both passes run in row chunks on
/// a `ParallelLoop` (each output value is the same sum whatever the thread count), each chunk keeps
/// its own maximum. All buffers are allocated at init.
public struct AnomalyMap: Sendable {
    public let gridHeight: Int
    public let gridWidth: Int
    public let size: Int
    public let sigma: Float
    private let rows: BandedOperator
    private let columns: BandedOperator
    private var horizontal: [Float]     // [gridHeight][size]: G M_x^T
    public private(set) var map: [Float]
    /// One running maximum per chunk of the vertical pass.
    private var chunkMaxima: [Float]
    private static let maximumChunks = 64

    public init(gridHeight: Int, gridWidth: Int, size: Int, sigma: Float = 4) {
        precondition(size % 8 == 0, "the map's width is a multiple of 8 (SIMD lanes)")
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
        self.size = size
        self.sigma = sigma
        rows = BandedOperator(inputs: gridHeight, outputs: size, sigma: Double(sigma))
        columns = BandedOperator(inputs: gridWidth, outputs: size, sigma: Double(sigma))
        horizontal = [Float](repeating: 0, count: gridHeight * size)
        map = [Float](repeating: 0, count: size * size)
        chunkMaxima = [Float](repeating: -.infinity, count: AnomalyMap.maximumChunks)
    }

    /// Computes `map` from a [gridHeight][gridWidth] distance grid and returns its maximum.
    @discardableResult
    public mutating func compute(_ grid: UnsafeBufferPointer<Float>, parallel: any ParallelLoop = SerialLoop.shared) -> Float {
        precondition(grid.count >= gridHeight * gridWidth, "grid too small")
        let n = size
        let chunks = min(parallel.chunksPerStage, AnomalyMap.maximumChunks)
        columns.weights.withUnsafeBufferPointer { w in
            columns.first.withUnsafeBufferPointer { first in
                horizontal.withUnsafeMutableBufferPointer { h in
                    let rowChunks = min(chunks, gridHeight)
                    parallel.run(rowChunks, AcrossColumns(grid: grid.baseAddress!, gridHeight: gridHeight, gridWidth: gridWidth, size: n,
                                                          chunks: rowChunks, weights: w.baseAddress!, first: first.baseAddress!,
                                                          width: columns.width, out: h.baseAddress!))
                }
            }
        }
        rows.weights.withUnsafeBufferPointer { w in
            rows.first.withUnsafeBufferPointer { first in
                horizontal.withUnsafeBufferPointer { h in
                    map.withUnsafeMutableBufferPointer { out in
                        chunkMaxima.withUnsafeMutableBufferPointer { maxima in
                            let rowChunks = min(chunks, n)
                            parallel.run(rowChunks, DownRows(input: h.baseAddress!, size: n, chunks: rowChunks, weights: w.baseAddress!,
                                                             first: first.baseAddress!, width: rows.width, out: out.baseAddress!,
                                                             maxima: maxima.baseAddress!))
                        }
                    }
                }
            }
        }
        var best = -Float.infinity
        for c in 0..<min(chunks, n) { best = max(best, chunkMaxima[c]) }
        return best
    }
}

/// The first pass over a chunk of grid rows: G M_x^T.
private struct AcrossColumns: ParallelBody {
    let grid: UnsafePointer<Float>
    let gridHeight: Int
    let gridWidth: Int
    let size: Int
    let chunks: Int
    let weights: UnsafePointer<Float>
    let first: UnsafePointer<Int>
    let width: Int
    let out: UnsafeMutablePointer<Float>

    func run(_ chunk: Int) {
        for i in chunkRange(chunk, of: chunks, total: gridHeight) {
            let row = i * gridWidth
            for x in 0..<size {
                var acc: Float = 0
                let g = grid + row + first[x], w = weights + x * width
                for k in 0..<width { acc += w[k] * g[k] }
                out[i * size + x] = acc
            }
        }
    }
}

/// The second pass over a chunk of output rows, 8 columns per vector, keeping the chunk's maximum.
private struct DownRows: ParallelBody {
    let input: UnsafePointer<Float>
    let size: Int
    let chunks: Int
    let weights: UnsafePointer<Float>
    let first: UnsafePointer<Int>
    let width: Int
    let out: UnsafeMutablePointer<Float>
    let maxima: UnsafeMutablePointer<Float>

    func run(_ chunk: Int) {
        let hv = UnsafeRawPointer(input), ov = UnsafeMutableRawPointer(out), n = size
        var best = SIMD8<Float>(repeating: -.infinity)
        for y in chunkRange(chunk, of: chunks, total: n) {
            let f = first[y], wb = y * width
            var x = 0
            while x < n {
                var acc = SIMD8<Float>()
                let column = hv + (f &* n &+ x) &* 4, w = weights + wb, rowBytes = n &* 4
                for k in 0..<width {
                    // Multiply and add, not addProduct: a baseline x86-64 build turns a fused
                    // multiply-add into an fmaf call per lane. Wrapping index arithmetic: the
                    // operator's bands lie inside the grid by construction.
                    acc += SIMD8(repeating: w[k]) * column.loadUnaligned(fromByteOffset: k &* rowBytes, as: SIMD8<Float>.self)
                }
                ov.storeBytes(of: acc, toByteOffset: (y * n + x) * 4, as: SIMD8<Float>.self)
                best = best.replacing(with: acc, where: acc .> best)
                x += 8
            }
        }
        maxima[chunk] = best.max()
    }
}

/// One axis of "bilinear upsample, then Gaussian blur with reflected borders" as a banded matrix:
/// output o = sum over k < width of weights[o * width + k] * input[first[o] + k]. Bands are padded
/// with zero weights to one width, kept inside the input.
struct BandedOperator: Sendable {
    let first: [Int]
    let width: Int
    let weights: [Float]

    init(inputs: Int, outputs: Int, sigma: Double) {
        let radius = Int((4 * sigma).rounded())
        var kernel = (-radius...radius).map { x in (-0.5 * Double(x * x) / (sigma * sigma)).exponential }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func reflect(_ i: Int) -> Int {
            var j = i
            while j < 0 || j >= outputs { j = j < 0 ? -j - 1 : 2 * outputs - j - 1 }
            return j
        }
        /// The bilinear taps of upsampled sample x (half-pixel centres, clamped).
        func taps(_ x: Int) -> (Int, Int, Double) {
            let source = max(0, (Double(x) + 0.5) * Double(inputs) / Double(outputs) - 0.5)
            let i0 = min(Int(source), inputs - 1)
            return (i0, min(i0 + 1, inputs - 1), source - Double(i0))
        }
        var dense = [[Double]](repeating: [Double](repeating: 0, count: inputs), count: outputs)
        for o in 0..<outputs {
            for t in 0...(2 * radius) {
                let (i0, i1, f) = taps(reflect(o - radius + t))
                dense[o][i0] += kernel[t] * (1 - f)
                dense[o][i1] += kernel[t] * f
            }
        }
        let bands = dense.map { row -> (Int, Int) in
            let lo = row.firstIndex { $0 != 0 } ?? 0
            let hi = row.lastIndex { $0 != 0 } ?? 0
            return (lo, hi)
        }
        let width = min(inputs, bands.map { $0.1 - $0.0 + 1 }.max() ?? 1)
        var first: [Int] = [], weights: [Float] = []
        for (o, (lo, _)) in bands.enumerated() {
            let start = min(lo, inputs - width)
            first.append(start)
            for k in 0..<width { weights.append(Float(dense[o][start + k])) }
        }
        self.first = first
        self.width = width
        self.weights = weights
    }
}

extension Double {
    /// e^x by range reduction and a Taylor series: the stdlib has no exp without Foundation/Glibc,
    /// and this module stays free of C imports. Accurate to a few ulps for |x| < 700.
    fileprivate var exponential: Double {
        let ln2 = 0.693_147_180_559_945_3
        let k = (self / ln2).rounded()
        let r = self - k * ln2
        var term = 1.0, sum = 1.0
        for i in 1...20 { term *= r / Double(i); sum += term }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }
}
