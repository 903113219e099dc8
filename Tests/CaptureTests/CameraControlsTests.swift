import CV4L2Types
import Capture
import CaptureFakes
import Testing

@Suite("Manual camera controls")
struct CameraControlsTests {
    let manual = CameraControls(exposure: 120, whiteBalanceTemperature: 5000, focus: 40)

    @Test func autoModesAreTurnedOffBeforeManualValues() {
        #expect(manual.settings.map(\.id) == [
            lsv4l2_CID_EXPOSURE_AUTO, lsv4l2_CID_EXPOSURE_ABSOLUTE,
            lsv4l2_CID_AUTO_WHITE_BALANCE, lsv4l2_CID_WHITE_BALANCE_TEMPERATURE,
            lsv4l2_CID_FOCUS_AUTO, lsv4l2_CID_FOCUS_ABSOLUTE,
        ])
        #expect(manual.settings.first?.value == lsv4l2_EXPOSURE_MANUAL)
        #expect(CameraControls().settings.isEmpty)
    }

    @Test func startAppliesControlsToTheDriver() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", controls: manual))
        try rig.camera.start()
        let values = rig.kernel.controlValues
        #expect(values[lsv4l2_CID_EXPOSURE_AUTO] == 1)
        #expect(values[lsv4l2_CID_EXPOSURE_ABSOLUTE] == 120)
        #expect(values[lsv4l2_CID_AUTO_WHITE_BALANCE] == 0)
        #expect(values[lsv4l2_CID_WHITE_BALANCE_TEMPERATURE] == 5000)
        #expect(values[lsv4l2_CID_FOCUS_AUTO] == 0)
        #expect(values[lsv4l2_CID_FOCUS_ABSOLUTE] == 40)
        #expect(rig.kernel.count(of: .setControl) == 6)
        // Controls go in before buffers are allocated.
        let names = rig.kernel.callNames
        #expect(names.lastIndex(of: "VIDIOC_S_CTRL")! < names.firstIndex(of: "VIDIOC_REQBUFS")!)
    }

    @Test func missingControlIsSkippedWithEvent() throws {
        // The UVC model has Gain but no Auto Gain control.
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", controls: CameraControls(gain: 50)))
        try rig.camera.start()
        #expect(rig.kernel.controlValues[lsv4l2_CID_GAIN] == 50)
        #expect(rig.events.events.contains(.controlSkipped(control: "auto gain", reason: "not offered by the driver")))
    }

    @Test func missingControlIsRefusedInStrictMode() {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", strict: true,
                                                             controls: CameraControls(gain: 50)))
        #expect(throws: CaptureError.controlUnsupported(device: "/dev/video0", control: "auto gain")) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
    }

    @Test func valueOutsideDriverRangeIsRefused() {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", controls: CameraControls(exposure: 5000)))
        #expect(throws: CaptureError.controlOutOfRange(device: "/dev/video0", control: "exposure", value: 5000,
                                                        minimum: 3, maximum: 2047)) {
            try rig.camera.start()
        }
        #expect(rig.kernel.controlValues[lsv4l2_CID_EXPOSURE_ABSOLUTE] == 250)
        #expect(rig.kernel.isIdle)
    }

    @Test func additionalControlsAreWrittenById() throws {
        let extra = CameraControls(additional: [ControlSetting(id: lsv4l2_CID_BRIGHTNESS, name: "brightness", value: -10)])
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", controls: extra))
        try rig.camera.start()
        #expect(rig.kernel.controlValues[lsv4l2_CID_BRIGHTNESS] == -10)
    }
}
