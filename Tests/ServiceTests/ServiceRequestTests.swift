import Backbone
import Configuration
import DemoScene
import Inspection
import LineIO
import Testing
@testable import Service

/// The HMI's requests as the inspection thread takes them: a threshold change only for the model
/// in use and inside its bounds, no model change in the middle of a calibration, and a
/// calibration started and cancelled like the button does it.
extension ServiceSimulationTests {
    /// A harness inspecting with a model fitted on 12 generated parts (threshold from the held-out ones).
    func inspectingHarness() throws -> Harness {
        let (h0, _) = try makeHarness(calibrationFrames: 8)
        let fitter = try Fitter(backbone: h0.core.backbone, settings: h0.core.settings.calibration.fit, expectedImages: 12)
        for i in 0..<12 { try fitter.add(PartRenderer().render(index: 2_000 + i, pose: .centred)) }
        try ModelStore(path: h0.core.store.path, previousPath: h0.core.settings.model.previousPath).save(try fitter.finish())
        let h = try Harness(settings: h0.core.settings, lines: h0.controller.configuration)
        #expect(h.core.state == .inspecting)
        return h
    }

    @Test func aThresholdChangeHoldsOnlyForTheModelInUseAndInsideItsBounds() throws {
        let h = try inspectingHarness()
        let inUse = try #require(h.core.modelInUse)
        let bounds = try #require(inUse.acceptedThresholds)
        let before = try #require(h.core.threshold)
        let inside = min(bounds.upperBound, before * 1.2)
        _ = h.core.handle(.setThreshold(inside, modelID: "not-the-model-in-use"))
        #expect(h.core.threshold == before, "a change meant for another model is refused")
        _ = h.core.handle(.setThreshold(bounds.upperBound * 2, modelID: inUse.modelID))
        #expect(h.core.threshold == before, "a value beyond the bounds is refused")
        _ = h.core.handle(.setThreshold(.nan, modelID: inUse.modelID))
        #expect(h.core.threshold == before)
        _ = h.core.handle(.setThreshold(inside, modelID: inUse.modelID))
        #expect(h.core.threshold == inside)
        #expect(h.core.modelInUse?.threshold == inside, "the HMI's view of the model shows the new threshold")
    }

    @Test func noModelChangeInTheMiddleOfACalibrationAndACancelKeepsTheModel() throws {
        let h = try inspectingHarness()
        let model = try ModelFile.load(h.core.store.path, expected: ModelFile.Expectation(h.core.backbone))
        let before = h.core.threshold
        _ = h.core.handle(.startCalibration)
        guard case .calibrating = h.core.state else { Issue.record("state \(h.core.state) after a start request"); return }
        var other = model
        other.threshold = (before ?? 1) * 1.1
        _ = h.core.handle(.useModel(other, rollback: true))
        #expect(h.core.threshold == before, "the model in use is not changed while calibrating")
        guard case .calibrating = h.core.state else { Issue.record("state \(h.core.state) after the refused model"); return }
        _ = h.core.handle(.cancelCalibration)
        #expect(h.core.state == .inspecting)
        #expect(h.core.threshold == before)
        _ = h.core.handle(.useModel(other, rollback: true))
        #expect(h.core.threshold == other.threshold, "outside a calibration the rolled-back model is used at once")
    }
}
