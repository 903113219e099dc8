import CV4L2Types
import Capture
import CaptureFakes
import Testing

@Suite("Device probe")
struct DeviceProberTests {
    @Test func probeListsFormatsSizesIntervalsAndControls() throws {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        let description = try DeviceProber.describe(path: "/dev/video0", device: kernel, stableNames: ["usb-Fake-video-index0"])
        #expect(description.driver == "uvcvideo" && description.card == "Fake UVC Camera")
        #expect(description.capabilityNames == ["video-capture", "streaming"])
        #expect(description.formats.map(\.pixelFormat) == [.yuyv, .mjpeg])
        #expect(description.formats[1].compressed)
        #expect(description.formats[0].sizes.first == .discrete(width: 640, height: 480, intervals: [
            FrameRate(framesPerSecond: 30), FrameRate(framesPerSecond: 15),
        ]))
        #expect(description.formats[0].sizes.count == 3)
        let exposure = try #require(description.controls.first { $0.id == lsv4l2_CID_EXPOSURE_ABSOLUTE })
        #expect(exposure.minimum == 3 && exposure.maximum == 2047 && exposure.currentValue == 250)
        let auto = try #require(description.controls.first { $0.id == lsv4l2_CID_EXPOSURE_AUTO })
        #expect(auto.type == "menu" && auto.menuEntries.map(\.name).contains("Manual Mode"))
        #expect(description.controls.count == FakeCameraModel.uvcControls.count)
        #expect(description.controls.map(\.id) == description.controls.map(\.id).sorted())
        #expect(kernel.isIdle)
        #expect(kernel.count(of: .streamOn) == 0 && kernel.count(of: .requestBuffers) == 0)
    }

    @Test func probeTextShowsOneLinePerItem() throws {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        let text = DeviceDescriptionText.render(try DeviceProber.describe(path: "/dev/video0", device: kernel))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "/dev/video0: Fake UVC Camera (driver uvcvideo, usb-0000:01:00.0-1.2)")
        #expect(lines.contains("  format YUYV YUYV 4:2:2"))
        #expect(lines.contains("    640x480: 30 fps, 15 fps"))
        #expect(lines.contains("  format MJPG Motion-JPEG [compressed]"))
        #expect(lines.contains { $0.hasPrefix("    Gain (0x980913, integer): 0...100 step 1 default 32") })
        #expect(lines.contains("      1: Manual Mode"))
    }

    @Test func probeOfUnpluggedDeviceIsTypedError() {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        kernel.unplug()
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) {
            try DeviceProber.describe(path: "/dev/video0", device: kernel)
        }
    }
}
