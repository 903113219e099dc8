import Testing
@testable import Padim
import Platform
import PlatformFakes

/// Small geometry so the float64 ground truth can be computed directly.
@Suite struct FitAndScoreTests {
    let geometry = PatchGeometry(gridHeight: 2, gridWidth: 8, dimensions: 5)

    /// Correlated random features for `images` images, interleaved layout.
    func samples(_ images: Int, seed: UInt64, offset: Float = 3) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        func gaussianish() -> Float { Float((0..<6).map { _ in Double(rng.next() >> 11) / Double(1 << 53) }.reduce(0, +) - 3) }
        return (0..<images).map { _ in
            var out = [Float](repeating: 0, count: geometry.featureCount)
            for p in 0..<geometry.positions {
                let shared = gaussianish()
                for c in 0..<geometry.dimensions {
                    out[geometry.interleaved(position: p, channel: c)] = offset + Float(c) + shared * Float(c % 3) + gaussianish() * 0.5
                }
            }
            return out
        }
    }

    func fit(_ images: [[Float]]) throws -> PadimModelData {
        var acc = FitAccumulator(geometry: geometry)
        for image in images { image.withUnsafeBufferPointer { acc.add($0) } }
        return try acc.finish(epsilon: 0.01)
    }

    /// Direct float64 Mahalanobis with an explicitly inverted covariance (Gauss-Jordan).
    func directDistances(train: [[Float]], x: [Float]) -> [Double] {
        let d = geometry.dimensions, n = Double(train.count)
        return (0..<geometry.positions).map { p in
            let vectors = train.map { img in (0..<d).map { Double(img[geometry.interleaved(position: p, channel: $0)]) } }
            let mean = (0..<d).map { c in vectors.reduce(0) { $0 + $1[c] } / n }
            var cov = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            for v in vectors { for i in 0..<d { for j in 0..<d { cov[i][j] += (v[i] - mean[i]) * (v[j] - mean[j]) / (n - 1) } } }
            for i in 0..<d { cov[i][i] += 0.01 }
            var a = cov, inv = (0..<d).map { i in (0..<d).map { $0 == i ? 1.0 : 0.0 } }
            for col in 0..<d {
                let pivot = a[col][col]
                for j in 0..<d { a[col][j] /= pivot; inv[col][j] /= pivot }
                for row in 0..<d where row != col {
                    let f = a[row][col]
                    for j in 0..<d { a[row][j] -= f * a[col][j]; inv[row][j] -= f * inv[col][j] }
                }
            }
            let diff = (0..<d).map { Double(x[geometry.interleaved(position: p, channel: $0)]) - mean[$0] }
            var q = 0.0
            for i in 0..<d { for j in 0..<d { q += diff[i] * inv[i][j] * diff[j] } }
            return q.squareRoot()
        }
    }

    @Test func streamedFitScoresLikeTheDirectFloat64Formula() throws {
        let train = samples(40, seed: 1)
        let model = try fit(train)
        try model.validate()
        let scorer = PatchScorer(model: model)
        for x in samples(3, seed: 99) + [samples(1, seed: 5, offset: 4)[0]] {
            var out = [Float](repeating: 0, count: geometry.positions)
            x.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { scorer.score(f, into: $0) } }
            let direct = directDistances(train: train, x: x)
            for (a, b) in zip(out, direct) { #expect(abs(Double(a) - b) <= 0.01 * b + 0.01, "\(a) vs \(b)") }
        }
    }

    @Test func groupChunksInAnyOrderScoreLikeOneCall() throws {
        let wide = PatchGeometry(gridHeight: 7, gridWidth: 8, dimensions: 5)   // 7 groups of 8
        var acc = FitAccumulator(geometry: wide)
        var rng = SplitMix64(seed: 21)
        func image() -> [Float] { (0..<wide.featureCount).map { _ in Float(rng.next() % 1000) / 100 } }
        for _ in 0..<20 { image().withUnsafeBufferPointer { acc.add($0) } }
        let scorer = PatchScorer(model: try acc.finish(epsilon: 0.01))
        let x = image()
        var serial = [Float](repeating: 0, count: wide.positions), parallel = serial
        let loop = ScrambledLoop(threads: 2)
        x.withUnsafeBufferPointer { f in
            serial.withUnsafeMutableBufferPointer { scorer.score(f, into: $0) }
            parallel.withUnsafeMutableBufferPointer { scorer.score(f, into: $0, parallel: loop) }
        }
        #expect(serial == parallel && serial.allSatisfy { $0 > 0 })
        #expect(loop.ran.sorted() == Array(0..<7), "7 groups in 7 chunks (at most 8 for 2 threads)")
        #expect(scorer.modelBytes == (wide.positions * wide.triangle + wide.positions * wide.dimensions) * 2)
    }

    /// A row's float16 scale is never below its largest weight / 127 (so no weight is clipped at
    /// +-127) and at most one float16 step above it, from subnormal rows to the float16 maximum.
    @Test func theRowScaleIsFloat16RoundedUp() {
        #expect(PatchScorer.rowScale(largest: 0) == 1)
        var rng = SplitMix64(seed: 7)
        let probes: [Float] = [65504, 1, 1e-3, 7e-6, 6e-8, 127 * Float(Float16.leastNonzeroMagnitude)]
        for largest in probes + (0..<2000).map({ _ in Float(Float16(Float(rng.next() % 1_000_000) / 25_000)) }) where largest > 0 {
            let scale = PatchScorer.rowScale(largest: largest)
            #expect(scale > 0 && scale.isFinite)
            #expect(Float(scale) * 127 >= largest, "scale \(scale) clips \(largest)")
            #expect(Float(scale.nextDown) * 127 < largest, "scale \(scale) is more than a step above \(largest) / 127")
        }
    }

    @Test func theInt8FactorScoresWithinAPercentOfFloat16AndReadsHalfTheBytes() throws {
        let wide = PatchGeometry(gridHeight: 2, gridWidth: 8, dimensions: 40)   // rows long enough for the 4-way sums
        var acc = FitAccumulator(geometry: wide)
        var rng = SplitMix64(seed: 33)
        func image(_ offset: Float) -> [Float] {
            (0..<wide.featureCount).map { i in offset + Float(i % 7) + Float(rng.next() % 1000) / 200 }
        }
        for _ in 0..<60 { image(0).withUnsafeBufferPointer { acc.add($0) } }
        let model = try acc.finish(epsilon: 0.01)
        let f16 = PatchScorer(model: model), i8 = PatchScorer(model: model, encoding: .int8)
        #expect(i8.encoding == .int8 && f16.encoding == .float16)
        let n = wide.positions
        #expect(f16.modelBytes == n * wide.triangle * 2 + n * wide.dimensions * 2)
        // int8 weights in pairs per row (an odd row's last pair padded: d = 40 has 20 odd rows).
        let pairs = (0..<wide.dimensions).reduce(0) { $0 + ($1 + 2) / 2 }
        #expect(pairs * 2 == wide.triangle + wide.dimensions / 2)
        // The weights, their float16 scales and the float16 mean.
        #expect(i8.modelBytes == n * pairs * 2 + n * wide.dimensions * 2 + n * wide.dimensions * 2)
        for offset: Float in [0, 0.5, 3] {
            let x = image(offset)
            var a = [Float](repeating: 0, count: wide.positions), b = a, c = a
            x.withUnsafeBufferPointer { f in
                a.withUnsafeMutableBufferPointer { f16.score(f, into: $0) }
                b.withUnsafeMutableBufferPointer { i8.score(f, into: $0) }
                c.withUnsafeMutableBufferPointer { i8.score(f, into: $0, parallel: ScrambledLoop(threads: 2)) }
            }
            for (p, q) in zip(a, b) { #expect(abs(p - q) <= 0.01 * p, "float16 \(p) int8 \(q)") }
            #expect(b == c)
        }
        // Features equal to the mean: every difference 0, so the int16 step has nothing to
        // scale; the distance is 0, not NaN.
        var atMean = [Float](repeating: 0, count: wide.featureCount)
        for p in 0..<wide.positions {
            for ch in 0..<wide.dimensions {
                atMean[wide.interleaved(position: p, channel: ch)] = Float(Float16(bitPattern: model.mean.bits[p * wide.dimensions + ch]))
            }
        }
        var zero = [Float](repeating: 1, count: wide.positions)
        atMean.withUnsafeBufferPointer { f in zero.withUnsafeMutableBufferPointer { i8.score(f, into: $0) } }
        #expect(zero.allSatisfy { $0 == 0 }, "\(zero)")
    }

    /// The int8 scorer reading the taps itself gives, to the bit, what it gives on the features
    /// the gatherer writes from the same taps: three maps at strides 1, 2 and 4 of an 8x16 grid
    /// (each patch's upsampled source is worked out in the kernel), serial and in scrambled chunks.
    @Test func scoringFromTheTapsEqualsGatherThenScore() throws {
        let wide = PatchGeometry(gridHeight: 8, gridWidth: 16, dimensions: 23)
        let shapes = [(8, 16, 6), (4, 8, 10), (2, 4, 14)]
        var rng = SplitMix64(seed: 77)
        let storage = shapes.map { h, w, c in
            let b = UnsafeMutableBufferPointer<Int8>.allocate(capacity: h * w * c)
            for i in b.indices { b[i] = Int8(truncatingIfNeeded: rng.next() >> 56) }
            return b
        }
        defer { storage.forEach { $0.deallocate() } }
        let maps = zip(shapes, storage).enumerated().map { k, pair in
            QuantizedMap(values: UnsafeBufferPointer(pair.1), height: pair.0.0, width: pair.0.1, channels: pair.0.2,
                         scale: [0.031, 0.0125, 0.27][k], zeroPoint: [-128, 3, -7][k])
        }
        let selected = ChannelSelection.draw(count: wide.dimensions, from: 30, seed: 5)
        let gatherer = PatchFeatureGatherer(geometry: wide, mapChannels: shapes.map(\.2), selected: selected)
        var features = [Float](repeating: 0, count: wide.featureCount)
        var acc = FitAccumulator(geometry: wide)
        for _ in 0..<40 {
            for b in storage { for i in b.indices { b[i] = Int8(truncatingIfNeeded: rng.next() >> 56) } }
            features.withUnsafeMutableBufferPointer { gatherer.gather(maps, into: $0) }
            features.withUnsafeBufferPointer { acc.add($0) }
        }
        let scorer = PatchScorer(model: try acc.finish(epsilon: 0.01), encoding: .int8)
        let taps = TapFeatures(maps: maps, gatherer: gatherer)
        for b in storage { for i in b.indices { b[i] = Int8(truncatingIfNeeded: rng.next() >> 56) } }
        features.withUnsafeMutableBufferPointer { gatherer.gather(maps, into: $0) }
        var gathered = [Float](repeating: 0, count: wide.positions), direct = gathered, scrambled = gathered
        features.withUnsafeBufferPointer { f in gathered.withUnsafeMutableBufferPointer { scorer.score(f, into: $0) } }
        direct.withUnsafeMutableBufferPointer { scorer.score(taps: taps, into: $0) }
        scrambled.withUnsafeMutableBufferPointer { scorer.score(taps: taps, into: $0, parallel: ScrambledLoop(threads: 2)) }
        #expect(gathered.allSatisfy { $0 > 0 })
        #expect(direct == gathered && scrambled == gathered, "\(zip(direct, gathered).map { abs($0 - $1) / $1 }.max()!) \(zip(direct, gathered).filter { $0 != $1 }.count)")
    }

    @Test func shiftedSumsKeepCovariancePreciseForLargeOffsets() throws {
        // Features around 10^4 with unit variance: E[xx] - mu^2 without the shift loses digits.
        let train = samples(30, seed: 3, offset: 10_000)
        var acc = FitAccumulator(geometry: geometry)
        for image in train { image.withUnsafeBufferPointer { acc.add($0) } }
        let d = geometry.dimensions, n = Double(train.count)
        var mean = [Double](repeating: 0, count: d), cov = [Double](repeating: 0, count: d * d)
        for p in [0, 9, 15] {
            acc.statistics(position: p, epsilon: 0, mean: &mean, covariance: &cov)
            let v = train.map { img in (0..<d).map { Double(img[geometry.interleaved(position: p, channel: $0)]) } }
            let m = (0..<d).map { c in v.reduce(0) { $0 + $1[c] } / n }
            for i in 0..<d {
                #expect(abs(mean[i] - m[i]) < 1e-9 * 10_000)
                for j in 0...i {
                    let direct = v.reduce(0) { $0 + ($1[i] - m[i]) * ($1[j] - m[j]) } / (n - 1)
                    #expect(abs(cov[i * d + j] - direct) < 1e-9, "cov[\(i)][\(j)] \(cov[i * d + j]) vs \(direct)")
                }
            }
        }
    }

    @Test func anOutlierScoresFarAboveTrainingImages() throws {
        let train = samples(40, seed: 1)
        let model = try fit(train)
        var outlier = samples(1, seed: 8)[0]
        outlier[geometry.interleaved(position: 5, channel: 2)] += 6
        var out = [Float](repeating: 0, count: geometry.positions)
        outlier.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { PatchScorer(model: model).score(f, into: $0) } }
        let others = out.enumerated().filter { $0.offset != 5 }.map(\.element)
        #expect(out[5] > 3 * others.max()!)
    }

    @Test func fitNeedsTwoImages() {
        var acc = FitAccumulator(geometry: geometry)
        samples(1, seed: 1)[0].withUnsafeBufferPointer { acc.add($0) }
        #expect(throws: PadimError.tooFewImages(1)) { try acc.finish() }
    }

    @Test func nonFiniteModelValuesAreRejected() throws {
        var model = try fit(samples(10, seed: 2))
        var bits = model.factor.bits
        bits[7] = 0x7E00  // float16 NaN
        model = PadimModelData(geometry: geometry, mean: model.mean, factor: Float16Buffer(bits: bits))
        #expect(throws: PadimError.self) { try model.validate() }
    }

    @Test func float16ConversionRoundsToNearest() {
        let values: [Float] = [0, 1, -2.5, 65504, 1e-8, 0.1]
        let back = Float16Buffer(values).floats()
        for (v, b) in zip(values, back) { #expect(abs(v - b) <= abs(v) * 0.001 + 6e-8) }
    }
}

@Suite struct CholeskyTests {
    @Test func inverseFactorWhitensTheMatrix() {
        let d = 3
        var a: [Double] = [4, 0, 0, 2, 5, 0, 1, 3, 6]  // lower triangle of a SPD matrix
        let full: [Double] = [4, 2, 1, 2, 5, 3, 1, 3, 6]
        var inv = [Double](repeating: 0, count: 9)
        let ok = a.withUnsafeMutableBufferPointer { l in
            inv.withUnsafeMutableBufferPointer { i in Cholesky.factor(l, d) && { Cholesky.invertLower(l, d, into: i); return true }() }
        }
        #expect(ok)
        // W A W^T = I
        for r in 0..<d {
            for c in 0..<d {
                var v = 0.0
                for i in 0..<d { for j in 0..<d { v += inv[r * d + i] * full[i * d + j] * inv[c * d + j] } }
                #expect(abs(v - (r == c ? 1 : 0)) < 1e-12)
            }
        }
    }

    @Test func indefiniteMatrixIsReported() {
        var a: [Double] = [1, 0, 2, 1]  // [[1,2],[2,1]] is indefinite
        #expect(!a.withUnsafeMutableBufferPointer { Cholesky.factor($0, 2) })
    }
}

@Suite struct AnomalyMapTests {
    /// The definition, done the slow way in float64: bilinear upsample (half-pixel centres, edge
    /// clamp) to 224, then a separable Gaussian (sigma 4, radius 16) with reflected borders.
    static func direct(_ grid: [Float], side: Int = 56, size: Int = 224) -> [Double] {
        func taps(_ x: Int) -> (Int, Int, Double) {
            let s = max(0, (Double(x) + 0.5) * Double(side) / Double(size) - 0.5)
            let i0 = min(Int(s), side - 1)
            return (i0, min(i0 + 1, side - 1), s - Double(i0))
        }
        var up = [Double](repeating: 0, count: size * size)
        for y in 0..<size {
            let (y0, y1, fy) = taps(y)
            for x in 0..<size {
                let (x0, x1, fx) = taps(x)
                let g = { (i: Int, j: Int) in Double(grid[i * side + j]) }
                up[y * size + x] = (g(y0, x0) * (1 - fx) + g(y0, x1) * fx) * (1 - fy) + (g(y1, x0) * (1 - fx) + g(y1, x1) * fx) * fy
            }
        }
        let r = 16
        var k = (-r...r).map { t in (-0.5 * Double(t * t) / 16).exponentialForTest }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        func reflect(_ i: Int) -> Int { i < 0 ? -i - 1 : (i >= size ? 2 * size - i - 1 : i) }
        var h = up, out = up
        for y in 0..<size { for x in 0..<size { h[y * size + x] = (0...(2 * r)).reduce(0) { $0 + k[$1] * up[y * size + reflect(x - r + $1)] } } }
        for y in 0..<size { for x in 0..<size { out[y * size + x] = (0...(2 * r)).reduce(0) { $0 + k[$1] * h[reflect(y - r + $1) * size + x] } } }
        return out
    }

    @Test func theBandedOperatorEqualsUpsampleThenBlur() {
        var rng = SplitMix64(seed: 7)
        let grid = (0..<(56 * 56)).map { _ in Float(rng.next() % 10_000) / 1000 }
        var map = AnomalyMap(gridHeight: 56, gridWidth: 56, size: 224)
        let top = grid.withUnsafeBufferPointer { map.compute($0) }
        let reference = Self.direct(grid)
        let worst = zip(map.map, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-4, "largest difference \(worst)")
        #expect(abs(Double(top) - (reference.max() ?? 0)) < 1e-4)
    }

    @Test func rowChunksInAnyOrderGiveTheSameMapAndMaximum() {
        var rng = SplitMix64(seed: 11)
        let grid = (0..<(56 * 56)).map { _ in Float(rng.next() % 10_000) / 1000 }
        var serial = AnomalyMap(gridHeight: 56, gridWidth: 56, size: 224)
        var parallel = AnomalyMap(gridHeight: 56, gridWidth: 56, size: 224)
        let loop = ScrambledLoop(threads: 2)
        let a = grid.withUnsafeBufferPointer { serial.compute($0) }
        let b = grid.withUnsafeBufferPointer { parallel.compute($0, parallel: loop) }
        #expect(a == b && serial.map == parallel.map)
        #expect(a == parallel.map.max())
        #expect(loop.ran.count == 16)
    }

    @Test func constantGridGivesConstantMap() {
        var map = AnomalyMap(gridHeight: 56, gridWidth: 56, size: 224)
        let grid = [Float](repeating: 2.5, count: 56 * 56)
        let top = grid.withUnsafeBufferPointer { map.compute($0) }
        #expect(abs(top - 2.5) < 1e-4)
        #expect(map.map.allSatisfy { abs($0 - 2.5) < 1e-4 })
    }

    @Test func aSinglePeakIsBlurredSymmetricallyAndKeepsTheMaximumThere() {
        var map = AnomalyMap(gridHeight: 56, gridWidth: 56, size: 224)
        var grid = [Float](repeating: 0, count: 56 * 56)
        grid[28 * 56 + 28] = 10
        let top = grid.withUnsafeBufferPointer { map.compute($0) }
        let peak = map.map.indices.max { map.map[$0] < map.map[$1] }!
        #expect(abs(peak / 224 - 113) <= 1 && abs(peak % 224 - 113) <= 1)
        #expect(top < 10 && top > 0.5)
        // Mass is preserved by the normalised kernel (up to the reflected border, far away here).
        let total = map.map.reduce(0, +)
        #expect(abs(total - 10 * 16) < 0.5)
    }
}

extension Double {
    /// exp for the reference (the test target imports no C maths either).
    var exponentialForTest: Double {
        let k = (self / 0.693_147_180_559_945_3).rounded()
        let r = self - k * 0.693_147_180_559_945_3
        var term = 1.0, sum = 1.0
        for i in 1...20 { term *= r / Double(i); sum += term }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }
}
