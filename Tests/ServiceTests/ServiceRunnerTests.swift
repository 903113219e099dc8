import Backbone
import Capture
import CaptureFakes
import Configuration
import Imaging
import LineIO
import LineIOFakes
import Logging
import Platform
import PlatformFakes
import Synchronization
import Testing
@testable import Service

/// The service runner's own logic (the capture side, the line I/O side and the inspection loop of
/// `ServiceRunner`), stepped by `ServiceStepper` on one virtual clock with the fake V4L2 kernel
/// and the fake line driver. No model is loaded and parts without one pass, so any reject pulse
/// seen here can only come from the fail-safe policy.
@Suite(.serialized) struct ServiceRunnerTests {
    let chip = ChipSelector.name("sim")
    var rejectLine: LineAddress { LineAddress(chip: chip, offset: 17) }
    var trigger: LineAddress { LineAddress(chip: chip, offset: 25) }
    static let delayNs: UInt64 = 100_000_000

    final class Rig {
        let clock = VirtualClock()
        let kernel: FakeV4L2Kernel
        let driver: FakeLineDriver
        let stepper: ServiceStepper
        let directory: String

        init(trigger: ServiceSettings.Trigger, lines: LineIOConfiguration, faultAfter: Duration = .seconds(1),
             overviewEvery: Duration? = nil, sink: (any ResultSink)? = nil) throws {
            kernel = FakeV4L2Kernel(model: .uvcWebcam(), clock: clock)
            driver = FakeLineDriver(clock: clock)
            directory = try Directory.makeTemporary(prefix: "lineside-runner-test")
            var settings = ServiceSettings.defaults
            settings.model.path = directory + "/model.safetensors"
            settings.model.previousPath = directory + "/model.previous.safetensors"
            settings.model.noModelPolicy = .pass
            settings.statusFile = directory + "/status"
            settings.trigger = trigger
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let core = ServiceCore(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1),
                                   settings: settings, logger: logger)
            let kernel = self.kernel, driver = self.driver
            var environment = ServiceRunner.Environment(
                makeSource: { clock in
                    let camera = V4L2Camera(configuration: CameraConfiguration(device: kernel.model.path), device: kernel, clock: clock)
                    return ReconnectingFrameSource(camera, policy: ReconnectPolicy(initialDelay: .milliseconds(200),
                                                                                  maximumDelay: .milliseconds(400),
                                                                                  restartAfterConsecutiveTimeouts: 3),
                                                   clock: clock)
                },
                makeLineDriver: { driver }, lineConfiguration: lines)
            environment.frameTimeout = .milliseconds(200)
            environment.faultAfter = faultAfter
            environment.regionOfInterest = PixelRect(x: 0, y: 0, width: 64, height: 64)
            environment.overviewEvery = overviewEvery
            core.resultSink = sink
            stepper = ServiceStepper(core: core, environment: environment, clock: clock, logger: logger)
        }

        deinit { Directory.removeTree(directory) }

        /// Line I/O turns until the clock reaches `deadline`.
        func runLines(until deadline: UInt64) {
            while clock.nowNs < deadline { stepper.lineStep() }
        }

        func pulses(on line: LineAddress) -> [FakeLineDriver.Change] {
            driver.changes(of: line).filter(\.active)
        }
    }

    func lines(withTrigger: Bool) -> LineIOConfiguration {
        var lines = LineIOConfiguration(
            rejectLines: [.init(output: OutputLineConfig(address: rejectLine, consumer: "reject"),
                                timing: RejectTiming(delayNs: Self.delayNs, pulseWidthNs: 20_000_000))],
            statusLight: OutputLineConfig(address: LineAddress(chip: chip, offset: 23), consumer: "status"),
            partTrigger: withTrigger ? InputLineConfig(address: trigger, consumer: "trigger", edgeEvents: true) : nil)
        lines.failSafe = .reject
        return lines
    }

    @Test func aCameraFasterThanTheInspectionFiresNoRejectForDroppedFrames() throws {
        let rig = try Rig(trigger: .freeRun, lines: lines(withTrigger: false))
        defer { rig.stepper.shutdown() }
        // Three frames arrive (30 fps) for every frame the inspection takes.
        for _ in 0..<40 {
            for _ in 0..<3 { rig.stepper.captureStep() }
            rig.stepper.inspectionTurn()
            rig.stepper.lineStep()
        }
        rig.runLines(until: rig.clock.nowNs + 500_000_000)
        let counters = rig.stepper.core.counters
        #expect(rig.stepper.mailbox.capturedCount == 120)
        #expect(counters.frames == 40, "every inspected frame is a part, and only those")
        #expect(rig.stepper.mailbox.droppedCount == 120 - counters.frames - UInt64(rig.stepper.mailbox.waitingCount))
        #expect(rig.stepper.mailbox.droppedCount >= 70, "two of every three frames could not be taken")
        #expect(counters.failSafe == 0)
        #expect(rig.pulses(on: rejectLine).isEmpty, "a dropped frame is a sample, not a part: no pulse")
        #expect(rig.driver.allOutputsSafe)
    }

    /// Counts the pictures a frame-wanting sink (the HMI) is given.
    final class FrameCounter: ResultSink {
        let seen = Mutex<(parts: Int, framed: [Int], between: [Int])>((0, [], []))
        var wantsFrames: Bool { true }
        func part(_ record: PartRecord) { seen.withLock { $0.parts += 1 } }
        func part(_ record: PartRecord, image: PartImage) {
            seen.withLock { $0.parts += 1; if let frame = image.frame { $0.framed.append(frame.image.width) } }
        }
        func frame(_ overview: FrameOverview, captureNs: UInt64) { seen.withLock { $0.between.append(overview.image.width) } }
        func status(_ report: StatusReport) {}
        func event(_ event: ServiceEvent, atNs: UInt64) {}
    }

    @Test func aboutFiveTimesASecondAFrameBringsItsWholeFrameForTheLiveView() throws {
        let sink = FrameCounter()
        let rig = try Rig(trigger: .freeRun, lines: lines(withTrigger: false), overviewEvery: .milliseconds(200), sink: sink)
        defer { rig.stepper.shutdown() }
        let start = rig.clock.nowNs
        for _ in 0..<60 {
            rig.stepper.captureStep()
            rig.stepper.inspectionTurn()
            rig.stepper.lineStep()
        }
        let seconds = Double(rig.clock.nowNs - start) / 1e9
        let seen = sink.seen.withLock { $0 }
        #expect(seen.parts == 60)
        // The camera's whole 640-pixel frame, though the region is 64x64; at 30 frames/s the
        // first frame 150 ms (three quarters of 200) after the last: 6 a second.
        #expect(!seen.framed.isEmpty && seen.framed.allSatisfy { $0 == 640 }, "\(seen.framed)")
        let rate = Double(seen.framed.count) / seconds
        #expect(rate >= 4.5 && rate <= 7, "\(seen.framed.count) overviews in \(seconds) s")
        #expect(seen.between.isEmpty, "free-running: every frame is a part")
    }

    @Test func withoutAnHMIFramesBringNoOverview() throws {
        let sink = FrameCounter()
        let rig = try Rig(trigger: .freeRun, lines: lines(withTrigger: false), sink: sink)
        defer { rig.stepper.shutdown() }
        for _ in 0..<20 { rig.stepper.captureStep(); rig.stepper.inspectionTurn() }
        #expect(sink.seen.withLock { $0.framed.isEmpty && $0.parts == 20 })
    }

    @Test func aTriggerEdgeWithoutAFrameIsRejectedByTheFailSafePolicy() throws {
        let rig = try Rig(trigger: .partPresent, lines: lines(withTrigger: true))
        defer { rig.stepper.shutdown() }
        // Part 1: an edge, then frames: inspected (no model: passes).
        let first = rig.clock.nowNs + 10_000_000
        rig.driver.injectEdge(on: trigger, becameActive: true, atNs: first)
        rig.driver.injectEdge(on: trigger, becameActive: false, atNs: first + 5_000_000)
        rig.runLines(until: first + 6_000_000)
        rig.stepper.inspectionTurn()
        rig.stepper.captureStep()
        rig.stepper.inspectionTurn()
        #expect(rig.stepper.core.counters.frames == 1)
        // Part 2: an edge, and the camera delivers nothing for its frame window.
        let second = rig.clock.nowNs + 10_000_000
        rig.driver.injectEdge(on: trigger, becameActive: true, atNs: second)
        rig.driver.injectEdge(on: trigger, becameActive: false, atNs: second + 5_000_000)
        rig.runLines(until: second + 6_000_000)
        rig.stepper.inspectionTurn()  // the edge: the part is registered with the line I/O at once
        rig.runLines(until: second + InspectionLoop.triggerFrameWindowNs + 1_000_000)
        rig.stepper.inspectionTurn()  // the frame window is over: the part is left to the fail-safe policy
        rig.runLines(until: rig.clock.nowNs + 200_000_000)
        rig.stepper.inspectionTurn()
        let counters = rig.stepper.core.counters
        #expect(counters.frames == 2)
        #expect(counters.failSafe == 1)
        #expect(counters.missed == 0)
        let pulses = rig.pulses(on: rejectLine)
        #expect(pulses.count == 1, "only the part without a frame is rejected")
        if let pulse = pulses.first {
            // At the part's pulse start (its travel time after the edge), not when the window ended.
            #expect(pulse.timestampNs >= second + Self.delayNs, "the pulse starts after the part's travel time")
            #expect(pulse.timestampNs < second + Self.delayNs + 5_000_000, "the pulse starts at the ejector, not later")
        }
    }

    @Test func aBusyInspectionKeepsTheFirstFrameAfterAnEdgeForItsPart() throws {
        let rig = try Rig(trigger: .partPresent, lines: lines(withTrigger: true))
        defer { rig.stepper.shutdown() }
        var inspected: [UInt32] = []
        rig.stepper.core.partObserver = { _, sequence, _, _ in inspected.append(sequence) }
        let edge = rig.clock.nowNs + 10_000_000
        rig.driver.injectEdge(on: trigger, becameActive: true, atNs: edge)
        rig.driver.injectEdge(on: trigger, becameActive: false, atNs: edge + 5_000_000)
        rig.runLines(until: edge + 6_000_000)
        // The inspection is busy for three frame times: three frames reach the 2-deep mailbox.
        var sequences: [UInt32] = []
        rig.kernel.paintFrame = { sequence, _ in sequences.append(sequence) }
        for _ in 0..<3 { rig.stepper.captureStep() }
        #expect(sequences.count == 3)
        rig.stepper.inspectionTurn()
        #expect(rig.stepper.mailbox.droppedCount == 1)
        #expect(rig.stepper.core.counters.frames == 1)
        let first = try #require(inspected.first)
        // The part is inspected on the first frame exposed after its edge, not a later one.
        #expect(inspected.count == 1)
        #expect(first == sequences.sorted().first, "inspected frame \(first), frames captured \(sequences)")
    }

    @Test func oneTimeoutIsNotAFault() throws {
        let rig = try Rig(trigger: .freeRun, lines: lines(withTrigger: false))
        defer { rig.stepper.shutdown() }
        for _ in 0..<3 { rig.stepper.captureStep(); rig.stepper.inspectionTurn() }
        rig.kernel.stallPolls(1)
        rig.stepper.captureStep()  // one 200 ms timeout
        rig.stepper.inspectionTurn()
        #expect(!rig.stepper.cameraIsLost)
        for _ in 0..<3 { rig.stepper.captureStep(); rig.stepper.inspectionTurn() }
        rig.stepper.lineStep()
        #expect(rig.stepper.core.state == .noModel)
        #expect(rig.stepper.statusMode == .noModel)
        #expect(rig.stepper.core.counters.frames == 6)
    }

    @Test func anUnplugFaultsAfterTheConfiguredWaitThenReconnectsAndInspectsAgain() throws {
        let rig = try Rig(trigger: .freeRun, lines: lines(withTrigger: false), faultAfter: .seconds(1))
        defer { rig.stepper.shutdown() }
        for _ in 0..<3 { rig.stepper.captureStep(); rig.stepper.inspectionTurn() }
        let unpluggedAt = rig.clock.nowNs
        rig.kernel.unplug()
        var faultedAt: UInt64?
        while rig.clock.nowNs < unpluggedAt + 3_000_000_000 {
            rig.stepper.captureStep()
            rig.stepper.inspectionTurn()
            rig.stepper.lineStep()
            if faultedAt == nil, case .fault = rig.stepper.core.state { faultedAt = rig.clock.nowNs }
        }
        let faulted = try #require(faultedAt, "the camera never counted as lost")
        #expect(faulted >= unpluggedAt + 1_000_000_000, "not before the configured wait")
        #expect(faulted < unpluggedAt + 1_600_000_000, "within one reconnect attempt after it")
        #expect(rig.stepper.statusMode == .fault)
        let framesBefore = rig.stepper.core.counters.frames
        rig.kernel.replug()
        for _ in 0..<6 { rig.stepper.captureStep(); rig.stepper.inspectionTurn(); rig.stepper.lineStep() }
        #expect(rig.stepper.core.state == .noModel, "back to the state before the fault")
        #expect(rig.stepper.statusMode == .noModel)
        #expect(rig.stepper.core.counters.frames > framesBefore, "inspecting again")
        #expect(rig.kernel.isStreaming)
    }
}
