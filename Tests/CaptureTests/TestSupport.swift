import Capture
import CaptureFakes

/// A camera on a fake kernel sharing one virtual clock.
struct FakeRig {
    let kernel: FakeV4L2Kernel
    let camera: V4L2Camera
    var events: EventLog

    init(model: FakeCameraModel = .uvcWebcam(), configuration: CameraConfiguration? = nil) {
        kernel = FakeV4L2Kernel(model: model)
        camera = V4L2Camera(configuration: configuration ?? CameraConfiguration(device: model.path),
                            device: kernel, clock: kernel.clock)
        events = EventLog()
        let log = events
        camera.onEvent = { log.events.append($0) }
    }
}

final class EventLog {
    var events: [CaptureEvent] = []
}

extension FrameSource {
    /// The next frame's sequence number (the frame itself is returned to the source at once).
    func nextSequence(timeout: Duration = .seconds(1)) throws -> UInt32 {
        try withNextFrame(timeout: timeout) { $0.sequence }
    }
}
