import Capture
import Platform

/// The entry points the `lineside` executable uses for real cameras.
public enum V4L2Cameras {
    /// One probed node: its description, or why it could not be described.
    public struct ProbeResult: Sendable {
        public var path: String
        public var result: Result<DeviceDescription, CaptureError>
    }

    /// `lineside probe`: describes every /dev/video* node through libv4l2 (so formats libv4l2
    /// emulates are listed too, marked as converted).
    public static func probeAll() -> [ProbeResult] {
        VideoDeviceDiscovery.nodes().map { node in
            let result: Result<DeviceDescription, CaptureError>
            do throws(CaptureError) {
                result = .success(try DeviceProber.describe(path: node.path, device: LibV4L2Device(),
                                                            stableNames: node.stableNames))
            } catch {
                result = .failure(error)
            }
            return ProbeResult(path: node.path, result: result)
        }
    }

    /// The text `lineside probe` prints: each device described, or its error on one line.
    public static func probeText() -> String {
        let results = probeAll()
        guard !results.isEmpty else { return "no video devices found (/dev/video*)" }
        return results.map { probe in
            switch probe.result {
            case let .success(description): DeviceDescriptionText.render(description)
            case let .failure(error): "\(probe.path): \(error)"
            }
        }.joined(separator: "\n\n")
    }

    /// A camera through libv4l2, restarted with backoff when it is unplugged or stalls.
    /// `clock` times the frames and the backoff waits (the service passes one whose waits end
    /// when it stops).
    public static func camera(_ configuration: CameraConfiguration, policy: ReconnectPolicy = ReconnectPolicy(),
                              clock: any MonotonicClock = SystemClock.shared,
                              onEvent: ((CaptureEvent) -> Void)? = nil) -> ReconnectingFrameSource {
        let camera = V4L2Camera(configuration: configuration, device: LibV4L2Device(), clock: clock)
        camera.onEvent = onEvent
        let source = ReconnectingFrameSource(camera, policy: policy, clock: clock)
        source.onEvent = onEvent
        return source
    }
}
