import Backbone
import Configuration
import DemoScene
import Glibc
import ImageCodec
import Imaging
import Inspection
import LineIO
import LineIOFakes
import Logging
import Platform
import PlatformFakes
import Testing
@testable import Service

/// The service core and the real line I/O controller on a virtual clock with the fake line
/// driver: a long press of the (fake) button calibrates on good parts, then a stream of good and
/// defective parts must give reject pulses for exactly the parts whose scores cross the
/// threshold, in order, each at capture time + the configured delay.
@Suite(.serialized) struct ServiceSimulationTests {
    static let frameIntervalNs: UInt64 = 100_000_000
    static let delayNs: UInt64 = 150_000_000
    static let pulseNs: UInt64 = 40_000_000
    let chip = ChipSelector.name("sim")
    var rejectLine: LineAddress { LineAddress(chip: chip, offset: 17) }
    var button: LineAddress { LineAddress(chip: chip, offset: 24) }

    static func temporaryDirectory() -> String {
        var template = Array("/tmp/lineside-service-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    final class Harness {
        let clock = VirtualClock()
        let driver: FakeLineDriver
        let controller: LineIOController
        let core: ServiceCore
        let queue = LineIOCommandQueue()
        var sequence: UInt32 = 0
        var verdicts: [(part: PartID, captureNs: UInt64, score: Float?, verdict: Verdict)] = []
        var captureTimes: [PartID: UInt64] = [:]

        init(settings: ServiceSettings, lines: LineIOConfiguration) throws {
            driver = FakeLineDriver(clock: clock)
            controller = try LineIOController(driver: driver, configuration: lines, nowNs: clock.nowNs)
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            core = ServiceCore(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2),
                               settings: settings, logger: logger)
            for command in core.start() { queue.push(command) }
            core.partObserver = { [unowned self] part, _, score, verdict in
                verdicts.append((part, captureTimes[part] ?? 0, score, verdict))
            }
        }

        /// Runs the line I/O until `t`, feeding its inputs to the core.
        func run(until t: UInt64) {
            while clock.nowNs < t {
                for input in controller.runOnce(clock: clock, commands: queue) {
                    for command in core.handleInput(input) { queue.push(command) }
                }
            }
        }

        /// One part in front of the camera now; calibration work is done between frames.
        func show(_ image: Image) {
            let part = PartID(rawValue: core.counters.frames)
            captureTimes[part] = clock.nowNs
            for command in core.handleFrame(image, captureNs: clock.nowNs, sequence: sequence, nowNs: { self.clock.nowNs }) {
                queue.push(command)
            }
            sequence += 1
            // Calibration work between frames (virtual time stands still, so one poll does it all).
            for command in core.poll(now: { self.clock.nowNs }) { queue.push(command) }
            run(until: clock.nowNs + ServiceSimulationTests.frameIntervalNs)
        }
    }

    func makeHarness(calibrationFrames: Int) throws -> (Harness, String) {
        let dir = Self.temporaryDirectory()
        var settings = ServiceSettings.defaults
        settings.model.path = dir + "/model.safetensors"
        settings.model.previousPath = dir + "/model.previous.safetensors"
        settings.statusFile = dir + "/status"
        settings.calibration.frames = calibrationFrames
        settings.calibration.fit.holdoutFraction = 0.2
        settings.model.noModelPolicy = .pass
        var lines = LineIOConfiguration(
            rejectLines: [.init(output: OutputLineConfig(address: rejectLine, consumer: "reject"),
                                timing: RejectTiming(delayNs: Self.delayNs, pulseWidthNs: Self.pulseNs))],
            button: InputLineConfig(address: button, consumer: "button", edgeEvents: true))
        lines.longPressNs = 2_000_000_000
        return (try Harness(settings: settings, lines: lines), dir)
    }

    /// Calibrates with `good`, then inspects `stream`; returns what the scores said and the pulses.
    func calibrateAndInspect(good: [Image], stream: [(Image, Bool)]) throws
        -> (harness: Harness, inspected: [(part: PartID, captureNs: UInt64, score: Float?, verdict: Verdict)], truth: [Bool]) {
        let (h, _) = try makeHarness(calibrationFrames: good.count)
        #expect(h.core.state == .noModel)
        h.driver.injectEdge(on: button, becameActive: true, atNs: h.clock.nowNs + 10_000_000)
        h.run(until: h.clock.nowNs + 2_500_000_000)
        h.driver.injectEdge(on: button, becameActive: false, atNs: h.clock.nowNs)
        h.run(until: h.clock.nowNs + 10_000_000)
        #expect(h.core.state == .calibrating(captured: 0, target: good.count))
        for image in good { h.show(image) }
        #expect(h.core.state == .inspecting, "state \(h.core.state)")
        #expect(Directory.exists(h.core.store.path))
        let before = h.verdicts.count
        for (image, _) in stream { h.show(image) }
        h.run(until: h.clock.nowNs + 1_000_000_000)
        return (h, Array(h.verdicts[before...]), stream.map(\.1))
    }

    func checkPulses(_ h: Harness, _ inspected: [(part: PartID, captureNs: UInt64, score: Float?, verdict: Verdict)]) {
        let threshold = h.core.threshold!
        // The verdict is exactly "score above threshold".
        for entry in inspected { #expect((entry.verdict == .reject) == (entry.score! > threshold)) }
        let expectedStarts = inspected.filter { $0.verdict == .reject }.map { $0.captureNs + Self.delayNs }
        let changes = h.driver.changes(of: rejectLine)
        let starts = changes.filter { $0.active }.map(\.timestampNs)
        let ends = changes.filter { !$0.active }.map(\.timestampNs).drop { $0 < (starts.first ?? 0) }
        #expect(starts.count == expectedStarts.count)
        for (got, want) in zip(starts, expectedStarts) { #expect(got >= want && got - want <= 1_000_000, "pulse at \(got), wanted \(want)") }
        for (start, end) in zip(starts, ends) { #expect(end - start >= Self.pulseNs && end - start <= Self.pulseNs + 1_000_000) }
        #expect(h.driver.allOutputsSafe || starts.isEmpty == false)
    }

    @Test func longPressCalibratesThenDefectivePartsAreRejectedOnTime() throws {
        let renderer = PartRenderer()
        let good = (0..<60).map { renderer.render(index: $0) }
        var stream: [(Image, Bool)] = []
        for i in 0..<24 {
            let defective = i % 3 == 2
            stream.append((defective ? renderer.render(index: 900 + i, defect: PartRenderer.Defect.allCases[i % 3]) : renderer.render(index: 500 + i), defective))
        }
        let (h, inspected, truth) = try calibrateAndInspect(good: good, stream: stream)
        checkPulses(h, inspected)
        let rejected = inspected.map { $0.verdict == .reject }
        print("generated parts: \(truth.filter { $0 }.count) defective of \(truth.count); rejected \(rejected.filter { $0 }.count); agreeing with the drawing: \(zip(rejected, truth).filter { $0 == $1 }.count)")
        #expect(zip(rejected, truth).filter { $0 != $1 }.count <= 2)
    }

    @Test func bottleDatasetWhenPresent() throws {
        let root = "../shared/data/bottle"
        guard Directory.exists(root + "/train/good") else {
            print("skipped: \(root) is absent (the generated-parts test covers the same path)")
            return
        }
        let good = try ImageFolder.list(root + "/train/good").prefix(60).map { try ImageDecoder.read($0) }
        var stream: [(Image, Bool)] = []
        let goodTests = try ImageFolder.list(root + "/test/good").prefix(10)
        let bad = try ImageFolder.list(root + "/test/broken_large").prefix(5) + ImageFolder.list(root + "/test/contamination").prefix(5)
        for (i, path) in goodTests.enumerated() {
            stream.append((try ImageDecoder.read(path), false))
            if i < bad.count { stream.append((try ImageDecoder.read(bad[bad.startIndex + i]), true)) }
        }
        let (h, inspected, truth) = try calibrateAndInspect(good: good, stream: stream)
        checkPulses(h, inspected)
        let rejected = inspected.map { $0.verdict == .reject }
        print("bottle: \(truth.filter { $0 }.count) defective of \(truth.count); rejected \(rejected.filter { $0 }.count); agreeing with the labels: \(zip(rejected, truth).filter { $0 == $1 }.count)")
        #expect(zip(rejected, truth).filter { $0 != $1 }.count <= 2)
    }

    @Test func shortPressCancelsACalibrationAndKeepsTheModel() throws {
        let (h, _) = try makeHarness(calibrationFrames: 20)
        h.driver.injectEdge(on: button, becameActive: true, atNs: h.clock.nowNs + 1_000_000)
        h.run(until: h.clock.nowNs + 2_200_000_000)
        h.driver.injectEdge(on: button, becameActive: false, atNs: h.clock.nowNs)
        h.run(until: h.clock.nowNs + 10_000_000)
        for i in 0..<5 { h.show(PartRenderer().render(index: i)) }
        #expect(h.core.state == .calibrating(captured: 5, target: 20))
        h.driver.injectEdge(on: button, becameActive: true, atNs: h.clock.nowNs + 1_000_000)
        h.driver.injectEdge(on: button, becameActive: false, atNs: h.clock.nowNs + 300_000_000)
        h.run(until: h.clock.nowNs + 500_000_000)
        #expect(h.core.state == .noModel)
        #expect(!Directory.exists(h.core.store.path))
    }

    @Test func corruptModelAtStartIsAFaultNotACrash() throws {
        let dir = Self.temporaryDirectory()
        try FileIO.writeAtomically(Array("not a model".utf8), to: dir + "/model.safetensors")
        var settings = ServiceSettings.defaults
        settings.model.path = dir + "/model.safetensors"
        settings.model.previousPath = dir + "/model.previous.safetensors"
        let core = ServiceCore(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load()), settings: settings,
                               logger: Logger(label: "test"))
        let commands = core.start()
        guard case .fault(let reason) = core.state else { Issue.record("state \(core.state)"); return }
        #expect(reason.contains("model.safetensors"))
        #expect(commands == [.setStatus(.fault)])
        // Parts in the fault state go to the fail-safe policy.
        let out = core.handleFrame(PartRenderer().render(index: 1), captureNs: 5, nowNs: { 6 })
        #expect(out.last == .resolve(PartID(rawValue: 0), .inspectionFailed))
    }
}
