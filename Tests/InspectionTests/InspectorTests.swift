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
            #expect(serial.extractor.features == parallel.extractor.features)
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
