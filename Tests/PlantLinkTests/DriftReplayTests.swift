import Backbone
import Configuration
import DemoScene
import Drift
import Glibc
import Imaging
import LineIO
import Logging
import PlantLink
import Platform
import Service
import Synchronization
import Testing

/// Events the service reported, for the tests.
final class EventLog: ResultSink, Sendable {
    let events = Mutex<[ServiceEvent]>([])
    let parts = Atomic<Int>(0)
    func part(_ record: PartRecord) { parts.add(1, ordering: .relaxed) }
    func status(_ report: StatusReport) {}
    func event(_ event: ServiceEvent, atNs: UInt64) { events.withLock { $0.append(event) } }
}

/// The real service core (int8 backbone, on-site calibration on generated good parts), then a
/// generated replay: good parts only, so every reject is a false one.
@Suite(.serialized) struct DriftReplayTests {
    static let renderer = PartRenderer()

    /// A core calibrated on 60 good parts, in the inspecting state.
    static func calibratedCore(folder: String, sink: (any ResultSink)?) throws -> ServiceCore {
        var settings = ServiceSettings.defaults
        settings.model.path = folder + "/model.safetensors"
        settings.model.previousPath = folder + "/model.previous.safetensors"
        settings.statusFile = folder + "/status"
        settings.calibration.frames = 60
        settings.calibration.fit.holdoutFraction = 0.2
        var logger = Logger(label: "drift-test")
        logger.logLevel = .warning
        let core = ServiceCore(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2), settings: settings,
                               logger: logger)
        core.resultSink = sink
        _ = core.start()
        _ = core.startCalibration()
        var index = 0
        while core.state != .inspecting, index < 200 {
            _ = core.handleFrame(renderer.render(index: index), captureNs: SystemClock.shared.nowNs, sequence: UInt32(index),
                                 nowNs: { SystemClock.shared.nowNs })
            while core.hasPendingWork { _ = core.poll() }
            index += 1
        }
        return core
    }

    /// The image with every pixel scaled by `factor` (the line's light dimmed).
    static func dimmed(_ image: Image, by factor: Double) -> Image { image.lit(by: factor) }

    /// A line of figures in the test output and in $TMPDIR/plantlink-figures.log at once (the test
    /// runner's stdout is block-buffered in a file).
    static func report(_ text: String) {
        print(text)
        let bytes = Array((text + "\n").utf8)
        let fd = open("/tmp/plantlink-figures.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func inspect(_ core: ServiceCore, _ image: Image, sequence: Int) -> (verdict: Verdict, ns: UInt64) {
        let t0 = SystemClock.shared.nowNs
        var verdict: Verdict = .inspectionFailed
        core.partObserver = { _, _, _, v in verdict = v }
        _ = core.handleFrame(image, captureNs: t0, sequence: UInt32(truncatingIfNeeded: sequence), nowNs: { SystemClock.shared.nowNs })
        return (verdict, SystemClock.shared.nowNs &- t0)
    }

    @Test func dimmingLightWarnsBeforeTheFirstFalseReject() throws {
        let folder = try temporaryFolder("drift-dim")
        defer { Directory.removeTree(folder) }
        let events = EventLog()
        let core = try Self.calibratedCore(folder: folder, sink: events)
        try #require(core.state == .inspecting)
        var warningPart: Int? = nil, firstFalseReject: Int? = nil
        var part = 0
        // 1% less light every 100 parts, until the first false reject (at most 50% dimmer).
        while firstFalseReject == nil, part < 5000 {
            let factor = 1 - 0.01 * Double(part / 100)
            let (verdict, _) = Self.inspect(core, Self.dimmed(Self.renderer.render(index: 10_000 + part), by: factor), sequence: part)
            if warningPart == nil, core.driftStatus.warning { warningPart = part }
            if verdict == .reject { firstFalseReject = part }
            if part % 500 == 499 { Self.report("dimming: \(part + 1) parts, light x\(factor), warning at \(warningPart.map(String.init) ?? "-"), reading \(core.driftStatus.reading?.text ?? "-")") }
            part += 1
        }
        let driftEvent = events.events.withLock { $0 }.first { $0.name == "drift" }
        Self.report("PlantLinkTests drift (dimming 1%/100 parts): warning at part \(warningPart.map(String.init) ?? "none") (light x\(warningPart.map { 1 - 0.01 * Double($0 / 100) } ?? 0)), first false reject at part \(firstFalseReject.map(String.init) ?? "none") (light x\(firstFalseReject.map { 1 - 0.01 * Double($0 / 100) } ?? 0)); reading at the warning: \(driftEvent.map { "\($0)" } ?? "-"); threshold \(core.threshold ?? 0)")
        let warned = try #require(warningPart)
        #expect(firstFalseReject.map { warned < $0 } ?? true)
        #expect(driftEvent != nil)
    }

    @Test func steadyTenThousandPartReplayNeverWarnsAndLatencyWithAndWithoutMQTT() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("drift-steady")
        defer { Directory.removeTree(folder) }
        let broker = try Broker(folder: folder)
        try broker.start()
        defer { broker.stop() }
        let subscriber = try Subscriber(broker: broker, topic: "lineside/steady/part", id: "sub-steady")
        defer { subscriber.stop() }
        let core = try Self.calibratedCore(folder: folder, sink: nil)
        try #require(core.state == .inspecting)
        var without: [UInt64] = [], with: [UInt64] = []
        var warnings = 0, falseRejects = 0
        // Blocks of 250 parts alternate without and with MQTT (every part published), so both
        // halves see the same machine: this one is shared, and its load changes by the minute.
        let publisher = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue", prefix: "steady"), logger: Logger(label: "t"))
        var published: [Int] = []  // the core's part numbers (they count the calibration parts too)
        for part in 0..<10_000 {
            let withMQTT = (part / 250) % 2 == 1
            core.resultSink = withMQTT ? publisher : nil
            if withMQTT { published.append(Int(core.counters.frames)) }
            let (verdict, ns) = Self.inspect(core, Self.renderer.render(index: 20_000 + part), sequence: part)
            if withMQTT { with.append(ns) } else { without.append(ns) }
            if core.driftStatus.warning { warnings += 1 }
            if verdict == .reject { falseRejects += 1 }
            if part % 1000 == 999 { Self.report("steady: \(part + 1) parts, warnings \(warnings), false rejects \(falseRejects)") }
        }
        core.resultSink = nil
        let parts = subscriber.waitFor(published.count, suffix: "/part", timeout: .seconds(60))
        publisher.stop()
        let delivery = Delivery(parts, expected: published)
        func ms(_ x: UInt64) -> String { String(Double(x / 1000) / 1000) }
        Self.report("PlantLinkTests steady 10,000 parts: drift warnings on \(warnings) parts, false rejects \(falseRejects); last reading \(core.driftStatus.reading?.text ?? "-")")
        Self.report("PlantLinkTests inspection latency (handleFrame, one run): without MQTT p50 \(ms(percentile(without, 0.5))) ms p99 \(ms(percentile(without, 0.99))) ms; with MQTT p50 \(ms(percentile(with, 0.5))) ms p99 \(ms(percentile(with, 0.99))) ms; MQTT delivery \(delivery)")
        #expect(warnings == 0)
        #expect(delivery.lost == 0 && delivery.inOrder)
    }
}
