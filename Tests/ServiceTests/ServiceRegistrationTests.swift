import Configuration
import DemoScene
import Imaging
import Inspection
import LineIO
import Platform
import Registration
import Synchronization
import Testing
@testable import Service

/// Position correction in the service: the button calibration registers its parts (on by default),
/// parts moved within the tolerance pass, a part beyond it is "not located" and rejected (its own
/// counter, the offset in the status), and a drawn defect on a moved part is still rejected.
extension ServiceSimulationTests {
    @Test func calibratedWithRegistrationMovedPartsPassAndMisplacedOnesAreRejected() throws {
        let renderer = PartRenderer()
        let good = (0..<30).map { renderer.render(index: $0, pose: .centred) }
        let moved = PartRenderer.Pose(dx: 14, dy: -10, degrees: 4)
        let stream: [(image: Image, expected: Verdict, located: Bool)] = [
            (renderer.render(index: 500, pose: moved), .pass, true),
            (renderer.render(index: 501, pose: PartRenderer.Pose(dx: 8, dy: 16, degrees: 4)), .pass, true),
            (renderer.render(index: 502, pose: PartRenderer.Pose(dx: 40, dy: 0, degrees: 0)), .reject, false),  // 15.6% > 10%
            (renderer.render(index: 503, defect: .stain, pose: moved), .reject, true),
            (renderer.render(index: 504, pose: PartRenderer.Pose(dx: 0, dy: 0, degrees: 20)), .reject, false),  // 20 deg > 12
        ]
        let (h, inspected, _) = try calibrateAndInspect(good: good, stream: stream.map { ($0.image, $0.expected == .reject) })
        let model = try ModelFile.load(h.core.store.path, expected: ModelFile.Expectation(h.core.backbone))
        #expect(model.registration != nil, "the calibration made and stored a registration reference")
        #expect(inspected.count == stream.count)
        for (entry, want) in zip(inspected, stream) {
            #expect(entry.verdict == want.expected, "part \(entry.part.rawValue): score \(entry.score ?? -1), threshold \(h.core.threshold ?? -1)")
        }
        #expect(h.core.counters.notLocated == 2)
        let status = StatusReport(state: "inspecting", detail: "", counters: h.core.counters, latencyP50Ms: nil, latencyP99Ms: nil,
                                  framesPerSecond: 0, threshold: h.core.threshold, modelPath: h.core.store.path, uptimeSeconds: 0,
                                  cameraReconnects: 0)
        var report = status
        report.offset = h.core.lastOffset
        let parsed = try StatusReport(json: JSON.parse(Array(report.json.serialized.utf8)))
        #expect(parsed.counters.notLocated == 2 && parsed.offset?.located == false)
        #expect(parsed.text.contains("2 not located"))
        // The last part (turned 20 degrees) was found turned that way.
        #expect(abs((h.core.lastOffset?.angleDegrees ?? 0) - 20) < 3, "\(String(describing: h.core.lastOffset))")
    }
}

/// Takes every part's pictures.
private final class PictureSink: ResultSink {
    let maps = Mutex<[[Float]?]>([])
    func part(_ record: PartRecord) {}
    func part(_ record: PartRecord, image: PartImage) { maps.withLock { $0.append(image.map) } }
    func wantsImage(for record: PartRecord) -> Bool { true }
    func status(_ report: StatusReport) {}
    func event(_ event: ServiceEvent, atNs: UInt64) {}
}

extension ServiceSimulationTests {
    /// The archive and the HMI draw a part's map over its region as captured: for a corrected
    /// part that is the map drawn back through its correction, not the map in the reference's frame.
    @Test func theSinksGetTheMapOfACorrectedPartWhereItWasCaptured() throws {
        let renderer = PartRenderer()
        let good = (0..<30).map { renderer.render(index: $0, pose: .centred) }
        let (h, _, _) = try calibrateAndInspect(good: good, stream: [])
        let sink = PictureSink()
        h.core.resultSink = sink
        h.show(renderer.render(index: 600, defect: .stain, pose: PartRenderer.Pose(dx: 18, dy: -14, degrees: 5)))
        let inspector = try #require(h.core.inspector)
        let given = try #require(sink.maps.withLock { $0.last } ?? nil)
        #expect(inspector.lastView?.corrected == true)
        #expect(given == (try inspector.anomalyMapAsCaptured()))
        func peak(_ map: [Float]) -> (x: Int, y: Int) {
            let i = map.indices.max { map[$0] < map[$1] }!
            return (i % 224, i / 224)
        }
        let captured = peak(given), registered = peak(inspector.anomaly.map)
        let moved = Double((captured.x - registered.x) * (captured.x - registered.x) + (captured.y - registered.y) * (captured.y - registered.y)).squareRoot()
        #expect(moved > 8, "the stain's peak as captured \(captured) vs in the reference's frame \(registered)")
    }
}

/// The tolerance has three spellings: the schema's defaults ([registration]), RegistrationSettings'
/// own, and RegistrationTolerance's (what fit, eval and score use without a configuration). They
/// must say the same.
@Suite struct RegistrationDefaultsTests {
    @Test func theSchemaTheSettingsAndTheToleranceAgree() {
        let fromSchema = ServiceSettings.defaults.registration
        #expect(fromSchema == RegistrationSettings())
        #expect(fromSchema.use == .correct(RegistrationTolerance()))
    }
}
