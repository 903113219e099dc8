/// Turns the patch-distance grid into the localisation map and the image score: bilinear upsample
/// (half-pixel centres, edges clamped, like torch's align_corners=False) to the input size, then a
/// Gaussian blur (sigma 4, radius 4 sigma, 'reflect' borders like scipy.ndimage); the image score is
/// the map's maximum. All buffers are allocated at init.
public struct AnomalyMap: Sendable {
    public let gridHeight: Int
    public let gridWidth: Int
    public let size: Int
    public let sigma: Float
    private let kernel: [Float]
    private let radius: Int
    private let reflect: [Int]          // index map for -radius..<size+radius
    private var upsampled: [Float]
    private var horizontal: [Float]
    public private(set) var map: [Float]

    public init(gridHeight: Int, gridWidth: Int, size: Int, sigma: Float = 4) {
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
        self.size = size
        self.sigma = sigma
        radius = Int((4 * sigma).rounded())
        var k = (-radius...radius).map { x in Float(-0.5 * Double(x * x) / Double(sigma * sigma)).exp() }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        kernel = k
        var reflect: [Int] = []
        for i in -radius..<(size + radius) {
            var j = i
            while j < 0 || j >= size { j = j < 0 ? -j - 1 : 2 * size - j - 1 }
            reflect.append(j)
        }
        self.reflect = reflect
        upsampled = [Float](repeating: 0, count: size * size)
        horizontal = upsampled
        map = upsampled
    }

    /// Computes `map` from a [gridHeight][gridWidth] distance grid and returns its maximum.
    @discardableResult
    public mutating func compute(_ grid: UnsafeBufferPointer<Float>) -> Float {
        precondition(grid.count >= gridHeight * gridWidth, "grid too small")
        let n = size, r = radius
        func taps(_ x: Int, _ inSize: Int) -> (Int, Int, Float) {
            let src = max(0, (Float(x) + 0.5) * Float(inSize) / Float(n) - 0.5)
            let i0 = min(Int(src), inSize - 1)
            return (i0, min(i0 + 1, inSize - 1), src - Float(i0))
        }
        upsampled.withUnsafeMutableBufferPointer { up in
            for y in 0..<n {
                let (y0, y1, fy) = taps(y, gridHeight)
                for x in 0..<n {
                    let (x0, x1, fx) = taps(x, gridWidth)
                    let top = grid[y0 * gridWidth + x0] * (1 - fx) + grid[y0 * gridWidth + x1] * fx
                    let bottom = grid[y1 * gridWidth + x0] * (1 - fx) + grid[y1 * gridWidth + x1] * fx
                    up[y * n + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
        var maximum = -Float.infinity
        kernel.withUnsafeBufferPointer { k in
            reflect.withUnsafeBufferPointer { reflect in
                upsampled.withUnsafeBufferPointer { up in
                    horizontal.withUnsafeMutableBufferPointer { h in
                        for y in 0..<n {
                            for x in 0..<n {
                                var acc: Float = 0
                                for t in 0...(2 * r) { acc += k[t] * up[y * n + reflect[x + t]] }
                                h[y * n + x] = acc
                            }
                        }
                    }
                }
                horizontal.withUnsafeBufferPointer { h in
                    map.withUnsafeMutableBufferPointer { out in
                        for y in 0..<n {
                            for x in 0..<n { out[y * n + x] = 0 }
                            for t in 0...(2 * r) {
                                let row = reflect[y + t] * n, w = k[t]
                                for x in 0..<n { out[y * n + x] += w * h[row + x] }
                            }
                            for x in 0..<n { maximum = max(maximum, out[y * n + x]) }
                        }
                    }
                }
            }
        }
        return maximum
    }
}

extension Float {
    fileprivate func exp() -> Float { Float(Double(self).exponential) }
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
