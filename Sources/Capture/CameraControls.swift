import CV4L2Types

/// Manual camera settings for stable inspection. Each one set turns its automatic mode off first;
/// a nil leaves that part of the camera alone. Applied at start and again after every reconnect.
public struct CameraControls: Sendable, Equatable {
    /// V4L2_CID_EXPOSURE_ABSOLUTE in units of 100 µs, after V4L2_CID_EXPOSURE_AUTO = manual.
    public var exposure: Int32?
    /// V4L2_CID_GAIN, after V4L2_CID_AUTOGAIN = 0.
    public var gain: Int32?
    /// V4L2_CID_WHITE_BALANCE_TEMPERATURE in kelvin, after V4L2_CID_AUTO_WHITE_BALANCE = 0.
    public var whiteBalanceTemperature: Int32?
    /// V4L2_CID_FOCUS_ABSOLUTE, after V4L2_CID_FOCUS_AUTO = 0.
    public var focus: Int32?
    /// Further controls by id, set in order after the ones above.
    public var additional: [ControlSetting]

    public init(exposure: Int32? = nil, gain: Int32? = nil, whiteBalanceTemperature: Int32? = nil,
                focus: Int32? = nil, additional: [ControlSetting] = []) {
        self.exposure = exposure
        self.gain = gain
        self.whiteBalanceTemperature = whiteBalanceTemperature
        self.focus = focus
        self.additional = additional
    }

    /// The VIDIOC_S_CTRL writes in the order they are applied: each auto mode off before its value.
    public var settings: [ControlSetting] {
        var list: [ControlSetting] = []
        if let exposure {
            list.append(ControlSetting(id: lsv4l2_CID_EXPOSURE_AUTO, name: "exposure auto", value: lsv4l2_EXPOSURE_MANUAL))
            list.append(ControlSetting(id: lsv4l2_CID_EXPOSURE_ABSOLUTE, name: "exposure", value: exposure))
        }
        if let gain {
            list.append(ControlSetting(id: lsv4l2_CID_AUTOGAIN, name: "auto gain", value: 0))
            list.append(ControlSetting(id: lsv4l2_CID_GAIN, name: "gain", value: gain))
        }
        if let whiteBalanceTemperature {
            list.append(ControlSetting(id: lsv4l2_CID_AUTO_WHITE_BALANCE, name: "auto white balance", value: 0))
            list.append(ControlSetting(id: lsv4l2_CID_WHITE_BALANCE_TEMPERATURE, name: "white balance temperature",
                                       value: whiteBalanceTemperature))
        }
        if let focus {
            list.append(ControlSetting(id: lsv4l2_CID_FOCUS_AUTO, name: "auto focus", value: 0))
            list.append(ControlSetting(id: lsv4l2_CID_FOCUS_ABSOLUTE, name: "focus", value: focus))
        }
        return list + additional
    }
}

/// One control write: V4L2 control id, a name for messages, the value.
public struct ControlSetting: Sendable, Equatable {
    public var id: UInt32
    public var name: String
    public var value: Int32

    public init(id: UInt32, name: String, value: Int32) {
        self.id = id
        self.name = name
        self.value = value
    }
}
