import CV4L2Types
import SystemPackage

/// Writes configured camera controls: VIDIOC_QUERYCTRL to check each exists and its range, then
/// VIDIOC_S_CTRL. A missing or disabled control is skipped with an event, or an error in strict mode.
struct ControlWriter {
    let calls: DeviceCalls
    let strict: Bool
    let report: (CaptureEvent) -> Void

    func apply(_ settings: [ControlSetting]) throws(CaptureError) {
        for setting in settings {
            var query = v4l2_queryctrl()
            query.id = setting.id
            do {
                try calls.rawIoctl(.queryControl, &query)
            } catch {
                guard error == .invalidArgument else {
                    throw CaptureError.fromDeviceCall(error, device: calls.path, operation: "VIDIOC_QUERYCTRL \(setting.name)")
                }
                try skip(setting, reason: "not offered by the driver")
                continue
            }
            if query.flags & lsv4l2_CTRL_FLAG_DISABLED != 0 {
                try skip(setting, reason: "disabled by the driver")
                continue
            }
            guard setting.value >= query.minimum && setting.value <= query.maximum else {
                throw .controlOutOfRange(device: calls.path, control: setting.name, value: setting.value,
                                         minimum: query.minimum, maximum: query.maximum)
            }
            var control = v4l2_control(id: setting.id, value: setting.value)
            try calls.ioctl(V4L2Request(code: V4L2Request.setControl.code, name: "VIDIOC_S_CTRL \(setting.name)"), &control)
        }
    }

    private func skip(_ setting: ControlSetting, reason: String) throws(CaptureError) {
        if strict { throw .controlUnsupported(device: calls.path, control: setting.name) }
        report(.controlSkipped(control: setting.name, reason: reason))
    }
}
