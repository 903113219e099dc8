import Backbone
import DemoScene
import Imaging
import Padim
import Registration
import Testing
@testable import Inspection

/// Position correction end to end on the embedded backbone with generated parts (keyed washers):
/// a model fitted with registration passes good parts moved within the tolerance, finds them "not
/// located" beyond it, and still rejects a drawn defect after correcting its part.
@Suite(.serialized) struct RegisteredInspectionTests {
    static let renderer = PartRenderer()

    /// Fitted once for the suite: 30 centred good parts, 20% held out.
    static let fitted: Result<ModelFile, any Error> = Result {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        let thumbnails = try (0..<30).map { try Registrar.thumbnail(renderer.render(index: $0, pose: .centred)) }
        let reference = try RegistrationReference.build(thumbnails: thumbnails).reference
        var settings = FitSettings()
        settings.holdoutFraction = 0.2
        let fitter = try Fitter(backbone: backbone, settings: settings, registration: reference)
        for i in 0..<30 { try fitter.add(renderer.render(index: i, pose: .centred)) }
        return try fitter.finish()
    }

    static func backboneAndModel() throws -> (Int8Backbone, ModelFile) {
        (try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2), try fitted.get())
    }

    func inspector(_ tolerance: RegistrationTolerance = RegistrationTolerance()) throws -> Inspector {
        let (backbone, model) = try Self.backboneAndModel()
        return try Inspector(backbone: backbone, model: model, registration: .correct(tolerance))
    }

    @Test func theModelStoresItsReferenceAndSaysHowItsInputWasMade() throws {
        let model = try Self.fitted.get()
        #expect(model.registration != nil)
        #expect(model.facts["input"]?.contains("registered") == true)
        #expect(model.facts["registration_not_located"] == "0")
    }

    @Test func goodPartsMovedWithinTheTolerancePass() throws {
        let inspector = try inspector()
        for (i, pose) in [PartRenderer.Pose(dx: 14, dy: -10, degrees: 7), PartRenderer.Pose(dx: -12, dy: 12, degrees: -6),
                          PartRenderer.Pose(dx: 8, dy: 16, degrees: 4), PartRenderer.Pose(dx: 0, dy: 0, degrees: 0)].enumerated() {
            let score = try inspector.inspect(Self.renderer.render(index: 100 + i, pose: pose))
            let view = try #require(inspector.lastView)
            #expect(view.located && view.corrected, "\(pose): \(view.notLocated ?? "")")
            // (Values, not the inspector, in the expectations: describing it on a failure takes minutes.)
            let defective = inspector.isDefective(score: score), threshold = inspector.threshold
            #expect(!defective, "\(pose): score \(score), threshold \(threshold)")
        }
    }

    @Test func withoutCorrectionTheSameMovedPartsLookDefective() throws {
        let (backbone, model) = try Self.backboneAndModel()
        let uncorrected = try Inspector(backbone: backbone, model: model, registration: .measureOnly(RegistrationTolerance()))
        let score = try uncorrected.inspect(Self.renderer.render(index: 100, pose: PartRenderer.Pose(dx: 14, dy: -10, degrees: 7)))
        #expect(uncorrected.lastView?.corrected == false)
        let defective = uncorrected.isDefective(score: score), threshold = uncorrected.threshold
        #expect(defective, "the baseline this corrects: uncorrected score \(score), threshold \(threshold)")
    }

    @Test func partsMovedBeyondTheToleranceAreNotLocated() throws {
        let inspector = try inspector(RegistrationTolerance(maximumShiftPercent: 5, maximumAngleDegrees: 5, minimumQuality: 0.5))
        for pose in [PartRenderer.Pose(dx: 24, dy: 0, degrees: 0), PartRenderer.Pose(dx: 0, dy: 0, degrees: 10)] {
            _ = try inspector.inspect(Self.renderer.render(index: 110, pose: pose))
            let view = try #require(inspector.lastView)
            #expect(!view.located && !view.corrected, "\(pose) was located")
        }
    }

    @Test func aDrawnDefectIsStillRejectedAfterCorrection() throws {
        let inspector = try inspector()
        for (i, defect) in PartRenderer.Defect.allCases.enumerated() {
            let pose = PartRenderer.Pose(dx: 12, dy: -9, degrees: 6)
            let score = try inspector.inspect(Self.renderer.render(index: 120 + i, defect: defect, pose: pose))
            let corrected = inspector.lastView?.corrected == true
            let defective = inspector.isDefective(score: score), threshold = inspector.threshold
            #expect(corrected)
            #expect(defective, "\(defect): score \(score), threshold \(threshold)")
        }
    }

    @Test func theHeatmapIsDrawnBackWhereTheDefectIsInTheFrame() throws {
        let inspector = try inspector()
        // A stain on a part moved right and down: the map's peak, drawn back, sits right and down of
        // the corrected map's peak by about the part's offset (256 px frame = view, crop at 16).
        let pose = PartRenderer.Pose(dx: 14, dy: 10, degrees: 0)
        _ = try inspector.inspect(Self.renderer.render(index: 130, defect: .stain, pose: pose))
        let corrected = inspector.anomaly.map, asCaptured = try inspector.anomalyMapAsCaptured()
        func peak(_ map: [Float]) -> (x: Int, y: Int) {
            let i = map.indices.max { map[$0] < map[$1] }!
            return (i % 224, i / 224)
        }
        let a = peak(corrected), b = peak(asCaptured)
        #expect(abs(b.x - a.x - 14) <= 4 && abs(b.y - a.y - 10) <= 4, "corrected peak \(a), as captured \(b)")
    }
}

