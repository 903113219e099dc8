import Capture
import CaptureFakes
import Imaging
import Testing

@Suite struct CameraSnapshotTests {
    private func camera(_ kernel: FakeV4L2Kernel, roi: PixelRect? = nil) -> V4L2Camera {
        V4L2Camera(configuration: CameraConfiguration(device: "/dev/video0", regionOfInterest: roi), device: kernel, clock: kernel.clock)
    }

    @Test func aFrameWithTheRegionOutlinedAndTheModelsViewBesideIt() throws {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        let roi = PixelRect(x: 80, y: 40, width: 400, height: 400)
        let picture = try CameraSnapshot.take(camera(kernel, roi: roi), region: roi, skip: 2)
        #expect(picture.width == 640 + 8 + 224 && picture.height == 480)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(picture.pixels[((y * picture.width + x) * 3)...].prefix(3)) }
        #expect(pixel(80, 200) == [0, 255, 0] && pixel(479, 200) == [0, 255, 0] && pixel(200, 40) == [0, 255, 0] && pixel(200, 439) == [0, 255, 0])
        #expect(pixel(200, 200) != [0, 255, 0])                  // inside: the frame itself
        #expect(pixel(650, 300) == [40, 40, 40])                  // below the model's view: background
        let view = (0..<224).map { pixel(648 + $0, 100) }
        #expect(Set(view.map { $0[0] }).count > 10)               // the view shows the frame's gradient
        #expect(kernel.isIdle)                                    // the camera is released
        #expect(kernel.count(of: .dequeueBuffer) >= 3)                    // two skipped, one kept
    }

    @Test func anAbsentCameraIsAnErrorNamingTheDevice() {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        kernel.unplug()
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video0")) {
            try CameraSnapshot.take(camera(kernel), region: nil)
        }
    }

    @Test func aRegionOutsideTheFrameIsRefused() {
        let kernel = FakeV4L2Kernel(model: .uvcWebcam())
        let roi = PixelRect(x: 400, y: 0, width: 400, height: 400)
        #expect(throws: CaptureError.self) { try CameraSnapshot.take(camera(kernel), region: roi) }
        #expect(kernel.isIdle)
    }
}
