import Backbone
import Configuration
import DemoScene
import Imaging
import LineIO
import LineIOFakes
import Logging
import Platform
import Synchronization
import Testing
@testable import Service

/// The real runner's start order, on real threads: the model is loaded (the core has left
/// `.starting`) before the capture thread makes its source, so the first frame does not wait for
/// the load (in free-running mode it is a part, and its pulse time would pass meanwhile).
@Suite struct ServiceRunnerStartTests {
    @Test func theModelIsLoadedBeforeTheFirstFrameIsCaptured() throws {
        let dir = try Directory.makeTemporary(prefix: "lineside-runner-start")
        defer { Directory.removeTree(dir) }
        var settings = ServiceSettings.defaults
        settings.model.path = dir + "/model.safetensors"
        settings.model.previousPath = dir + "/model.previous.safetensors"
        settings.statusFile = dir + "/status"
        settings.model.noModelPolicy = .pass
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let core = ServiceCore(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1), settings: settings, logger: logger)
        let stateAtFirstCapture = Mutex<String?>(nil)
        let renderer = PartRenderer(size: 64)
        let lines = SimulatedLines(now: { SystemClock.shared.nowNs })
        let reject = LineAddress(chip: .name("sim"), offset: 1)
        var environment = ServiceRunner.Environment(
            makeSource: { clock in
                let state = "\(core.state)"
                stateAtFirstCapture.withLock { $0 = $0 ?? state }
                return GeneratedPartsSource(framesPerSecond: 100, clock: clock) { index in index < 5 ? renderer.render(index: index) : nil }
            },
            makeLineDriver: { lines },
            lineConfiguration: LineIOConfiguration(rejectLines: [.init(output: OutputLineConfig(address: reject, consumer: "reject"),
                                                                       timing: RejectTiming(delayNs: 50_000_000, pulseWidthNs: 5_000_000))]))
        environment.maximumFrames = 5
        let status = try ServiceRunner(core: core, environment: environment, logger: logger).run()
        #expect(status == 0)
        let seen = try #require(stateAtFirstCapture.withLock { $0 })
        #expect(seen != "\(ServiceState.starting)", "the source was made while the core was \(seen)")
        #expect(core.counters.frames == 5)
    }
}
