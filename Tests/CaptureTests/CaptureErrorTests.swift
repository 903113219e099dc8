import Capture
import Imaging
import SystemPackage
import Testing

@Suite("Capture error messages")
struct CaptureErrorTests {
    static let samples: [CaptureError] = [
        .permissionDenied(device: "/dev/video0"),
        .deviceBusy(device: "/dev/video0", operation: "VIDIOC_S_FMT"),
        .deviceNotFound(device: "/dev/video0"),
        .deviceGone(device: "/dev/video0", operation: "VIDIOC_DQBUF", errno: .operationNotSupportedByDevice),
        .noFrame(device: "/dev/video0", timeout: .milliseconds(500)),
        .systemCallFailed(device: "/dev/video0", operation: "VIDIOC_REQBUFS", errno: .noMemory),
        .formatAdjusted(device: "/dev/video0", requested: FrameFormat(width: 800, height: 600, pixelFormat: .yuyv),
                        granted: FrameFormat(width: 640, height: 480, pixelFormat: .yuyv)),
        .roiOutsideFrame(roi: PixelRect(x: 1, y: 2, width: 3, height: 4), width: 2, height: 2),
    ]

    @Test(arguments: samples)
    func descriptionIsOneLineNamingTheDevice(error: CaptureError) {
        #expect(!error.description.contains("\n"))
        if case .roiOutsideFrame = error { return }
        #expect(error.description.contains("/dev/video0"))
    }

    @Test func systemCallErrorsCarryOperationAndErrnoText() {
        let gone = CaptureError.deviceGone(device: "/dev/video0", operation: "VIDIOC_DQBUF", errno: .operationNotSupportedByDevice)
        #expect(gone.description == "/dev/video0 disappeared during VIDIOC_DQBUF: No such device (camera unplugged?)")
        let failed = CaptureError.systemCallFailed(device: "/dev/video0", operation: "VIDIOC_REQBUFS", errno: .noMemory)
        #expect(failed.description == "/dev/video0 VIDIOC_REQBUFS failed: Cannot allocate memory")
        #expect(CaptureError.noFrame(device: "/dev/video0", timeout: .milliseconds(500)).description
            == "no frame from /dev/video0 within 0.5 seconds")
    }

    @Test func faultsThatAReconnectCuresAreTransient() {
        #expect(CaptureError.deviceGone(device: "d", operation: "o", errno: .ioError).isTransient)
        #expect(CaptureError.noFrame(device: "d", timeout: .seconds(1)).isTransient)
        #expect(!CaptureError.controlOutOfRange(device: "d", control: "gain", value: 1, minimum: 2, maximum: 3).isTransient)
        #expect(!CaptureError.roiOutsideFrame(roi: PixelRect(x: 0, y: 0, width: 1, height: 1), width: 0, height: 0).isTransient)
    }
}
