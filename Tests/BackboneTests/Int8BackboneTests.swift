import Testing
@testable import Backbone
import Imaging
import Platform

@Suite struct Int8BackboneTests {
    @Test func embeddedBackboneDescribesTheLite0Cut() throws {
        let weights = try EmbeddedBackbone.load()
        #expect(weights.metadata["source_sha256"] == "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
        let taps = weights.graph.taps.map { weights.graph.tensors[$0.tensor]! }
        #expect(taps.map { [$0.height, $0.width, $0.channels] } == [[56, 56, 24], [28, 28, 40], [14, 14, 112]])
        #expect(weights.graph.layers.count == 39)
        #expect(weights.identity == SHA256.hex(EmbeddedBackbone.bytes))
    }

    /// The stem (3x3 stride 2, TF 'SAME' padding: 0 top/left, 1 bottom/right) recomputed in plain
    /// Swift with int32 accumulation and round-to-nearest-even requantization must match XNNPACK.
    @Test func stemMatchesAPlainInt8Reference() throws {
        let weights = try EmbeddedBackbone.load()
        let backbone = try Int8Backbone(weights: weights, threads: 1)
        var rng: UInt64 = 12345
        for i in 0..<backbone.input.count {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            backbone.input[i] = Int8(truncatingIfNeeded: rng >> 56)
        }
        try backbone.run()
        let stem = weights.graph.layers[0]
        guard case .convolution(let k, let s, let pad, false, let relu6) = stem.operation else { Issue.record("stem is not a conv"); return }
        let (kernel, scales, bias) = try weights.weights(of: stem)
        let inInfo = weights.graph.tensors[stem.input]!, outInfo = weights.graph.tensors[stem.output]!
        let out = backbone.values(of: stem.output)
        var mismatches = 0, offByOne = 0
        for oy in 0..<outInfo.height {
            for ox in 0..<outInfo.width {
                for oc in 0..<stem.outputChannels {
                    var acc = Int32(bias[oc])
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * s + ky - pad.top, ix = ox * s + kx - pad.left
                            guard iy >= 0, ix >= 0, iy < inInfo.height, ix < inInfo.width else { continue }
                            for ic in 0..<stem.inputChannels {
                                let x = Int32(backbone.input[(iy * inInfo.width + ix) * 3 + ic]) - Int32(inInfo.quantization.zeroPoint)
                                acc += x * Int32(kernel[((oc * k + ky) * k + kx) * stem.inputChannels + ic])
                            }
                        }
                    }
                    let real = Float(acc) * (inInfo.quantization.scale * scales[oc] / outInfo.quantization.scale)
                    var q = Int(real.rounded(.toNearestOrEven)) + Int(outInfo.quantization.zeroPoint)
                    let lo = relu6 ? Int(outInfo.quantization.quantize(0)) : -128
                    let hi = relu6 ? Int(outInfo.quantization.quantize(6)) : 127
                    q = max(lo, min(hi, q))
                    let got = Int(out[(oy * outInfo.width + ox) * stem.outputChannels + oc])
                    if got != q { mismatches += 1; if abs(got - q) == 1 { offByOne += 1 } }
                }
            }
        }
        // XNNPACK rounds in float32 like this reference; allow a rare tie rounded the other way.
        #expect(mismatches == offByOne)
        #expect(mismatches <= outInfo.elementCount / 10_000)
    }

    /// The float32 prefix cut to the stem alone, against the stem in plain Swift float arithmetic on
    /// the dequantised weights, rounded to the stem's int8 grid: equal but for values a float32
    /// summation order can put on the other side of a rounding tie (within one level).
    @Test func theFloat32StemMatchesAPlainFloatReference() throws {
        let weights = try EmbeddedBackbone.load()
        let graph = weights.graph, stem = graph.layers[0]
        let inInfo = graph.tensors[stem.input]!, outInfo = graph.tensors[stem.output]!
        let input = UnsafeMutableBufferPointer<Int8>.allocate(capacity: inInfo.elementCount + 64)
        let output = UnsafeMutableBufferPointer<Int8>.allocate(capacity: outInfo.elementCount + 64)
        defer { input.deallocate(); output.deallocate() }
        var rng: UInt64 = 777
        for i in 0..<input.count {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            input[i] = Int8(truncatingIfNeeded: rng >> 56)
        }
        let prefix = try FloatPrefix(graph: graph, weights: weights, layers: 1, input: input.baseAddress!,
                                     output: output.baseAddress!, threadpool: nil)
        try prefix.run(nil)
        guard case .convolution(let k, let s, let pad, false, true) = stem.operation else { Issue.record("stem is not a conv with ReLU6"); return }
        let (kernel, scales, bias) = try weights.weights(of: stem)
        var mismatches = 0, beyondOne = 0
        for oy in 0..<outInfo.height {
            for ox in 0..<outInfo.width {
                for oc in 0..<stem.outputChannels {
                    var acc = Double(bias[oc]) * Double(inInfo.quantization.scale * scales[oc])
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * s + ky - pad.top, ix = ox * s + kx - pad.left
                            guard iy >= 0, ix >= 0, iy < inInfo.height, ix < inInfo.width else { continue }
                            for ic in 0..<stem.inputChannels {
                                let x = inInfo.quantization.dequantize(input[(iy * inInfo.width + ix) * 3 + ic])
                                acc += Double(x) * Double(Float(kernel[((oc * k + ky) * k + kx) * stem.inputChannels + ic]) * scales[oc])
                            }
                        }
                    }
                    let expected = outInfo.quantization.quantize(Float(min(max(acc, 0), 6)))
                    let got = output[(oy * outInfo.width + ox) * stem.outputChannels + oc]
                    if got != expected { mismatches += 1; if abs(Int(got) - Int(expected)) > 1 { beyondOne += 1 } }
                }
            }
        }
        #expect(beyondOne == 0)
        #expect(mismatches <= outInfo.elementCount / 1_000, "\(mismatches) of \(outInfo.elementCount) differ by one level")
    }

    /// The two precisions compute the same network: the taps agree closely but not exactly (the
    /// prefix's activations are not rounded), and each precision is deterministic.
    @Test func theFloat32PrefixChangesTheTapsSlightly() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        for i in 0..<backbone.input.count { backbone.input[i] = Int8(truncatingIfNeeded: (i * 37 + (i / 672) * 11) % 200 - 100) }
        try backbone.run(.int8)
        let int8 = backbone.taps.map { Array($0.values) }
        try backbone.run(.float32Prefix)
        let prefix = backbone.taps.map { Array($0.values) }
        try backbone.run(.float32Prefix)
        #expect(backbone.taps.map { Array($0.values) } == prefix)
        for (tap, (a, b)) in zip(backbone.taps, zip(int8, prefix)) {
            let zp = Double(tap.info.quantization.zeroPoint)
            var dot = 0.0, na = 0.0, nb = 0.0
            for (x, y) in zip(a, b) { let u = Double(x) - zp, v = Double(y) - zp; dot += u * v; na += u * u; nb += v * v }
            let cosine = dot / (na * nb).squareRoot()
            #expect(a != b, "\(tap.tap.name): the float32 prefix changed nothing")
            #expect(cosine > 0.97, "\(tap.tap.name): cosine \(cosine)")
        }
        try backbone.run(.int8)
        #expect(backbone.taps.map { Array($0.values) } == int8)
    }

    @Test func runsAreDeterministicAcrossThreadCounts() throws {
        let weights = try EmbeddedBackbone.load()
        let one = try Int8Backbone(weights: weights, threads: 1), two = try Int8Backbone(weights: weights, threads: 2)
        for i in 0..<one.input.count { one.input[i] = Int8(truncatingIfNeeded: i * 7 % 251); two.input[i] = one.input[i] }
        for precision in BackbonePrecision.allCases {
            try one.run(precision); try two.run(precision)
            for (a, b) in zip(one.taps, two.taps) { #expect(Array(a.values) == Array(b.values), "\(precision)") }
        }
        #expect(one.taps[2].values.contains { $0 != one.taps[2].info.quantization.zeroPoint })
    }

    @Test func malformedGraphsAreRejectedWithAReason() throws {
        let good = try EmbeddedBackbone.load()
        var json = try JSON.parse(good.metadata["graph"]!)
        guard case .object(var members) = json, case .array(var layers) = members["layers"]! else { Issue.record("graph shape"); return }
        layers.removeFirst()  // the first consumer now reads a tensor nobody wrote
        members["layers"] = .array(layers)
        json = .object(members)
        #expect(throws: BackboneError.self) { try BackboneGraph(json: json) }
        #expect(throws: BackboneError.self) { try BackboneWeights(bytes: Array(EmbeddedBackbone.bytes.prefix(1000))) }
    }
}
