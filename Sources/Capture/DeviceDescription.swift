/// What `lineside probe` reports about one video device: identity, capabilities, formats with
/// frame sizes and intervals, controls with ranges.
public struct DeviceDescription: Sendable, Equatable {
    public var path: String
    /// /dev/v4l/by-id names pointing at this node.
    public var stableNames: [String]
    public var driver: String
    public var card: String
    public var busInfo: String
    /// The device's capability bits (device_caps when the driver gives them).
    public var capabilities: UInt32
    public var capabilityNames: [String]
    public var formats: [FormatDescription]
    public var controls: [ControlDescription]

    public init(path: String, stableNames: [String] = [], driver: String, card: String, busInfo: String,
                capabilities: UInt32, capabilityNames: [String], formats: [FormatDescription],
                controls: [ControlDescription]) {
        self.path = path
        self.stableNames = stableNames
        self.driver = driver
        self.card = card
        self.busInfo = busInfo
        self.capabilities = capabilities
        self.capabilityNames = capabilityNames
        self.formats = formats
        self.controls = controls
    }
}

/// One VIDIOC_ENUM_FMT entry with its VIDIOC_ENUM_FRAMESIZES answers.
public struct FormatDescription: Sendable, Equatable {
    public var pixelFormat: PixelFormat
    public var description: String
    /// V4L2_FMT_FLAG_EMULATED: libv4l2 converts into this format in software.
    public var emulated: Bool
    public var compressed: Bool
    public var sizes: [FrameSizeDescription]
}

/// A VIDIOC_ENUM_FRAMESIZES answer.
public enum FrameSizeDescription: Sendable, Equatable {
    /// A fixed size with its VIDIOC_ENUM_FRAMEINTERVALS answers.
    case discrete(width: Int, height: Int, intervals: [FrameRate])
    /// Any size in a range (stepwise or continuous).
    case stepwise(minWidth: Int, maxWidth: Int, stepWidth: Int, minHeight: Int, maxHeight: Int, stepHeight: Int)
}

/// A VIDIOC_QUERYCTRL answer, with the current value (VIDIOC_G_CTRL) and menu entries (VIDIOC_QUERYMENU).
public struct ControlDescription: Sendable, Equatable {
    public var id: UInt32
    public var name: String
    /// integer, boolean, menu, button, integer64, ...
    public var type: String
    public var minimum: Int32
    public var maximum: Int32
    public var step: Int32
    public var defaultValue: Int32
    public var currentValue: Int32?
    public var flags: UInt32
    public var menuEntries: [MenuEntry]

    public struct MenuEntry: Sendable, Equatable {
        public var index: Int32
        public var name: String
    }
}
