import Backbone
import DemoScene
import Glibc
import ImageCodec
import Imaging
import Padim
import Testing
@testable import Inspection

/// End to end on the embedded backbone with generated parts: no data set needed.
@Suite(.serialized) struct InspectorTests {
    static func temporaryDirectory() -> String {
        var template = Array("/tmp/lineside-inspect-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    @Test func defectivePartsScoreAboveTheThresholdAndGoodOnesBelow() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        var settings = FitSettings()
        settings.holdoutFraction = 0.2
        let fitter = try Fitter(backbone: backbone, settings: settings)
        let renderer = PartRenderer()
        for i in 0..<30 { try fitter.add(renderer.render(index: i)) }
        let model = try fitter.finish()
        #expect(fitter.report.fitted == 24 && fitter.report.heldOut == 6)
        let inspector = try Inspector(backbone: backbone, model: model)
        var good: [Float] = [], bad: [Float] = []
        for i in 100..<106 { good.append(try inspector.inspect(renderer.render(index: i))) }
        for (i, defect) in PartRenderer.Defect.allCases.enumerated() {
            for j in 0..<2 { bad.append(try inspector.inspect(renderer.render(index: 200 + 2 * i + j, defect: defect))) }
        }
        #expect(good.max()! < bad.min()!, "good \(good) bad \(bad)")
        #expect(bad.allSatisfy { inspector.isDefective(score: $0) }, "bad \(bad) threshold \(model.threshold)")
        #expect(good.filter { inspector.isDefective(score: $0) }.count <= 1, "good \(good) threshold \(model.threshold)")
    }

    @Test func twoThreadsGiveTheSameGridMapAndScoreAsOne() throws {
        let one = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1)
        let two = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        let fitter = try Fitter(backbone: one, settings: FitSettings())
        let renderer = PartRenderer()
        for i in 0..<12 { try fitter.add(renderer.render(index: i)) }
        let model = try fitter.finish()
        let serial = try Inspector(backbone: one, model: model), parallel = try Inspector(backbone: two, model: model)
        for (i, defect) in [(300, nil), (301, PartRenderer.Defect.allCases.first)] as [(Int, PartRenderer.Defect?)] {
            let image = renderer.render(index: i, defect: defect)
            let a = try serial.inspect(image), b = try parallel.inspect(image)
            #expect(a == b, "score \(a) vs \(b)")
            #expect(zip(serial.extractor.backbone.taps, parallel.extractor.backbone.taps).allSatisfy { Array($0.values) == Array($1.values) })
            #expect(serial.grid == parallel.grid && serial.anomaly.map == parallel.anomaly.map)
        }
    }

    @Test func theInt8FactorScoresGeneratedPartsLikeFloat16() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        let fitter = try Fitter(backbone: backbone, settings: FitSettings())
        let renderer = PartRenderer()
        for i in 0..<16 { try fitter.add(renderer.render(index: i)) }
        let model = try fitter.finish()
        let f16 = try Inspector(backbone: backbone, model: model, factor: .float16)
        let i8 = try Inspector(backbone: backbone, model: model, factor: .int8)
        #expect(Inspector.defaultFactor == .int8, "the firmware scores with the int8 factor")
        var worst: Float = 0
        for (i, defect) in [(400, nil), (401, nil)] + PartRenderer.Defect.allCases.enumerated().map({ (402 + $0.offset, Optional($0.element)) }) {
            let image = renderer.render(index: i, defect: defect)
            let a = try f16.inspect(image), b = try i8.inspect(image)
            worst = max(worst, abs(a - b) / a)
            #expect(f16.isDefective(score: a) == i8.isDefective(score: b), "part \(i): float16 \(a) int8 \(b) threshold \(model.threshold)")
        }
        #expect(worst < 0.01, "largest relative score difference \(worst)")
    }

    /// The two backbone precisions on generated parts: each model records the one it was fitted
    /// with and is inspected with it. Both separate every defective part from every good one and
    /// reject every defect; a part's two scores are within 5% of each other. (Good parts near the
    /// threshold may fall either side: each threshold comes from 6 held-out parts of its own fit, as
    /// in `defectivePartsScoreAboveTheThresholdAndGoodOnesBelow`.)
    @Test func bothBackbonePrecisionsSeparateTheSameGeneratedParts() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        var settings = FitSettings()
        settings.holdoutFraction = 0.2
        let renderer = PartRenderer()
        var parts: [(Int, PartRenderer.Defect?)] = (500..<508).map { ($0, nil) }
        for (k, defect) in PartRenderer.Defect.allCases.enumerated() { parts += [(520 + 2 * k, defect), (521 + 2 * k, defect)] }
        var scores: [[Float]] = []
        for precision in [BackbonePrecision.int8, .float32Prefix] {
            let fitter = try Fitter(backbone: backbone, settings: settings, precision: precision)
            for i in 0..<30 { try fitter.add(renderer.render(index: i)) }
            let model = try ModelFile(bytes: try fitter.finish().serialized(), path: "m", expected: ModelFile.Expectation(backbone))
            #expect(model.precision == precision)
            let inspector = try Inspector(backbone: backbone, model: model)
            let s = try parts.map { i, defect in try inspector.inspect(renderer.render(index: i, defect: defect)) }
            let good = s.prefix(8), bad = s.dropFirst(8)
            #expect(good.max()! < bad.min()!, "\(precision): good \(good) defective \(bad)")
            #expect(bad.allSatisfy { inspector.isDefective(score: $0) }, "\(precision): defective \(bad), threshold \(model.threshold)")
            #expect(good.filter { inspector.isDefective(score: $0) }.count <= 1, "\(precision): good \(good), threshold \(model.threshold)")
            scores.append(s)
        }
        #expect(BackbonePrecision.standard == .float32Prefix, "new fits use the float32 prefix")
        let ratios = zip(scores[1], scores[0]).map { $0 / $1 }
        #expect(ratios.allSatisfy { abs($0 - 1) < 0.05 }, "float32 prefix / int8 scores \(ratios)")
        #expect(scores[0] != scores[1], "the precisions computed the same features")
        print("InspectorTests precisions: float32-prefix / int8 score \(ratios.min()!)...\(ratios.max()!) over \(parts.count) parts")
    }

    @Test func greyAndColourImagesMixInOneFit() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1)
        var settings = FitSettings()
        settings.holdoutFraction = 0.25
        let fitter = try Fitter(backbone: backbone, settings: settings)
        let renderer = PartRenderer()
        for i in 0..<8 {
            let rgb = renderer.render(index: i)
            let image = i % 2 == 0 ? rgb : Image(width: rgb.width, height: rgb.height, layout: .grey,
                                                  pixels: stride(from: 0, to: rgb.pixels.count, by: 3).map { rgb.pixels[$0 + 1] })
            try fitter.add(image)
        }
        let model = try fitter.finish()
        #expect(model.facts["grey_images"] == "4" && model.facts["colour_images"] == "4")
        #expect(model.threshold.isFinite && model.threshold > 0)
    }

    @Test func evaluationOnAGeneratedCategoryGivesPerfectImageAUROC() throws {
        let root = Self.temporaryDirectory()
        let renderer = PartRenderer()
        for dir in ["train/good", "test/good", "test/scratch", "ground_truth/scratch"] { mkdirAll(root + "/" + dir) }
        for i in 0..<16 { try PNGEncoder.write(renderer.render(index: i), to: root + "/train/good/\(100 + i).png") }
        for i in 0..<4 { try PNGEncoder.write(renderer.render(index: 50 + i), to: root + "/test/good/\(i).png") }
        for i in 0..<4 { try PNGEncoder.write(renderer.render(index: 60 + i, defect: .scratch), to: root + "/test/scratch/\(i).png") }
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        var settings = FitSettings()
        settings.holdoutFraction = 0
        let fitter = try Fitter(backbone: backbone, settings: settings)
        for path in try ImageFolder.list(root + "/train/good") { try fitter.add(path: path) }
        var model = try fitter.finish()
        model.threshold = 10
        let evaluation = try Evaluation.run(inspector: try Inspector(backbone: backbone, model: model), category: root)
        #expect(evaluation.items.count == 8)
        #expect(evaluation.metrics.first?.imageAUROC == 1)
        #expect(evaluation.metrics.first?.pixelAUROC == nil)  // no masks were written
    }

    @Test func emptyOrMissingFoldersAreClearErrors() throws {
        let root = Self.temporaryDirectory()
        do { _ = try ImageFolder.list(root); Issue.record("expected an error") } catch {
            #expect(error.description == "\(root): no PNG or JPEG images in this folder")
        }
        do { _ = try ImageFolder.list(root + "/missing"); Issue.record("expected an error") } catch {
            #expect(error.description == "\(root)/missing: no such directory")
        }
    }

    func mkdirAll(_ path: String) {
        var partial = ""
        for part in path.split(separator: "/") {
            partial += "/" + part
            mkdir(partial, 0o755)
        }
    }
}
