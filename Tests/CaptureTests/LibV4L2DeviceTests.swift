import Capture
import CaptureV4L2
import Glibc
import Imaging
import Testing

@Suite("libv4l2 on this machine's kernel")
struct LibV4L2DeviceTests {
    @Test func missingNodeIsDeviceNotFound() {
        let camera = V4L2Camera(configuration: CameraConfiguration(device: "/dev/video-lineside-absent"), device: LibV4L2Device())
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video-lineside-absent")) { try camera.start() }
    }

    @Test func nodeThatIsNotV4L2IsRefusedAtQuerycap() {
        // v4l2_open asks VIDIOC_QUERYCAP itself, which /dev/null answers with ENOTTY.
        let camera = V4L2Camera(configuration: CameraConfiguration(device: "/dev/null"), device: LibV4L2Device())
        #expect(throws: CaptureError.notAVideoCaptureDevice(device: "/dev/null", missing: "V4L2 support (ENOTTY)")) {
            try camera.start()
        }
    }

    @Test func discoveryListsVideoNodesInNumberOrder() {
        let nodes = VideoDeviceDiscovery.nodes()
        let numbers = nodes.map { Int($0.path.dropFirst("/dev/video".count))! }
        #expect(numbers == numbers.sorted())
        if nodes.isEmpty { print("note: no /dev/video* on this machine; probe lists nothing") }
        #expect(V4L2Cameras.probeAll().count == nodes.count)
    }

    /// Streams 30 frames from a real driver (vivid in the qemu rig) when LINESIDE_TEST_VIDEO names
    /// a node; skipped with a message otherwise.
    @Test func capturesFromRealDriverWhenOneIsNamed() throws {
        guard let path = getenv("LINESIDE_TEST_VIDEO").map({ String(cString: $0) }) else {
            print("skipped capturesFromRealDriverWhenOneIsNamed: set LINESIDE_TEST_VIDEO=/dev/videoN (vivid) to run it")
            return
        }
        let camera = V4L2Camera(configuration: CameraConfiguration(device: path, width: 640, height: 480, pixelFormat: .yuyv,
                                                                   framesPerSecond: 30, regionOfInterest: PixelRect(x: 96, y: 16, width: 448, height: 448)),
                                device: LibV4L2Device())
        try camera.start()
        defer { camera.stop() }
        guard case let .accepted(granted) = camera.formatNegotiation else {
            Issue.record("driver adjusted 640x480 YUYV: \(String(describing: camera.formatNegotiation))")
            return
        }
        #expect(granted.sameGeometry(as: FrameFormat(width: 640, height: 480, pixelFormat: .yuyv)))
        var last: UInt64 = 0
        for _ in 0..<30 {
            let captured = try camera.nextImage(timeout: .seconds(2), roi: camera.configuration.regionOfInterest)
            #expect(captured.image.width == 448 && captured.image.layout == .rgb)
            #expect(captured.timestampNanoseconds > last)
            last = captured.timestampNanoseconds
        }
        let description = try DeviceProber.describe(path: path, device: LibV4L2Device())
        #expect(description.formats.contains { $0.pixelFormat == .yuyv })
        #expect(!description.controls.isEmpty)
        print("real capture from \(path): \(camera.formatNegotiation!), \(camera.grantedFrameRate.map { "\($0)" } ?? "no rate"), "
              + "dropped \(camera.statistics.framesDropped)")
    }
}
