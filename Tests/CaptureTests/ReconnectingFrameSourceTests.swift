import CV4L2Types
import Capture
import CaptureFakes
import Testing

@Suite("Reconnect with backoff")
struct ReconnectingFrameSourceTests {
    struct Rig {
        let kernel: FakeV4L2Kernel
        let camera: V4L2Camera
        let source: ReconnectingFrameSource
        let events = EventLog()

        init(policy: ReconnectPolicy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .milliseconds(400))) {
            kernel = FakeV4L2Kernel(model: .uvcWebcam())
            camera = V4L2Camera(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 30,
                                                                   controls: CameraControls(exposure: 100)),
                                device: kernel, clock: kernel.clock)
            source = ReconnectingFrameSource(camera, policy: policy, clock: kernel.clock)
            let log = events
            source.onEvent = { log.events.append($0) }
        }
    }

    @Test func unplugAndReplugReconnectsWithBackoffAndReappliesControls() throws {
        let rig = Rig()
        try rig.source.start()
        #expect(try rig.source.nextSequence() == 0)
        rig.kernel.unplug()
        let error = #expect(throws: CaptureError.self) { try rig.source.nextSequence() }
        #expect(error?.isTransient == true)
        #expect(rig.source.isDisconnected)
        #expect(rig.kernel.isIdle)  // the dead session was released at once

        // Still unplugged: each attempt waits longer, up to the cap, and fails with a typed error.
        for _ in 0..<4 {
            #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) { try rig.source.nextSequence() }
        }
        #expect(rig.kernel.clock.sleeps == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(400)])

        rig.kernel.replug()
        #expect(rig.kernel.controlValues[lsv4l2_CID_EXPOSURE_ABSOLUTE] == 250)  // a replugged camera forgets
        #expect(try rig.source.nextSequence() == 0)
        #expect(rig.kernel.controlValues[lsv4l2_CID_EXPOSURE_ABSOLUTE] == 100)
        #expect(rig.kernel.controlValues[lsv4l2_CID_EXPOSURE_AUTO] == lsv4l2_EXPOSURE_MANUAL)
        #expect(rig.kernel.count(of: .setParameters) == 2)  // frame rate asked again of the new device
        #expect(rig.source.statistics.reconnects == 1)
        #expect(rig.events.events.last == .reconnected(attempt: 5))
        #expect(rig.kernel.openDescriptors.count == 1)
        #expect(try rig.source.nextSequence() == 1)
    }

    @Test func singleTimeoutIsThrownWithoutRestart() throws {
        let rig = Rig()
        try rig.source.start()
        rig.kernel.stallPolls(1)
        #expect(throws: CaptureError.noFrame(device: "/dev/video0", timeout: .milliseconds(50))) {
            try rig.source.nextSequence(timeout: .milliseconds(50))
        }
        #expect(!rig.source.isDisconnected)
        #expect(try rig.source.nextSequence() == 0)
        #expect(rig.kernel.callNames.filter { $0.hasPrefix("open") }.count == 1)
    }

    @Test func stalledStreamIsRestartedAfterConsecutiveTimeouts() throws {
        let rig = Rig()
        try rig.source.start()
        rig.kernel.stallPolls(3)
        for _ in 0..<3 {
            #expect(throws: CaptureError.self) { try rig.source.nextSequence(timeout: .milliseconds(50)) }
        }
        #expect(rig.source.isDisconnected)
        #expect(try rig.source.nextSequence() == 0)
        #expect(rig.kernel.callNames.filter { $0.hasPrefix("open") }.count == 2)
        #expect(rig.source.statistics.reconnects == 1)
    }

    @Test func attemptLimitGivesUp() throws {
        let rig = Rig(policy: ReconnectPolicy(initialDelay: .milliseconds(10), maximumAttempts: 2))
        try rig.source.start()
        rig.kernel.unplug()
        #expect(throws: CaptureError.self) { try rig.source.nextSequence() }
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) { try rig.source.nextSequence() }
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) { try rig.source.nextSequence() }
        let error = #expect(throws: CaptureError.self) { try rig.source.nextSequence() }
        guard case .reconnectGaveUp(_, attempts: 2, _) = error else {
            Issue.record("expected reconnectGaveUp, got \(String(describing: error))")
            return
        }
        #expect(throws: CaptureError.notStarted(source: "/dev/video0")) { try rig.source.nextSequence() }
        #expect(rig.kernel.isIdle)
    }

    @Test func configurationErrorIsNotRetried() {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        let camera = V4L2Camera(configuration: CameraConfiguration(device: "/dev/video0", width: 800, height: 600, strict: true),
                                device: kernel, clock: kernel.clock)
        let source = ReconnectingFrameSource(camera, clock: kernel.clock)
        #expect(throws: CaptureError.self) { try source.start() }
        #expect(!source.isDisconnected)
        #expect(throws: CaptureError.notStarted(source: "/dev/video0")) { try source.nextSequence() }
        #expect(kernel.clock.sleeps.isEmpty)
    }

    @Test func cameraAbsentAtStartIsRetriedLater() throws {
        let rig = Rig()
        rig.kernel.unplug()
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) { try rig.source.start() }
        #expect(rig.source.isDisconnected)
        rig.kernel.replug()
        #expect(try rig.source.nextSequence() == 0)
        #expect(rig.kernel.clock.sleeps == [.milliseconds(100)])
    }
}
