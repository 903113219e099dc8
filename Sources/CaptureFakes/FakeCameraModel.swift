import CV4L2Types
import Capture

/// The script a `FakeV4L2Kernel` plays: what the pretend camera says it is and offers.
public struct FakeCameraModel: Sendable {
    public struct Format: Sendable {
        public var pixelFormat: PixelFormat
        public var description: String
        /// Discrete sizes, in the order VIDIOC_ENUM_FRAMESIZES lists them.
        public var sizes: [Size]
        /// Frame rates offered at every size.
        public var framesPerSecond: [Int]
        public var emulated: Bool

        public init(_ pixelFormat: PixelFormat, _ description: String, sizes: [Size], framesPerSecond: [Int] = [30, 15],
                    emulated: Bool = false) {
            self.pixelFormat = pixelFormat
            self.description = description
            self.sizes = sizes
            self.framesPerSecond = framesPerSecond
            self.emulated = emulated
        }
    }

    public struct Size: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public init(_ width: Int, _ height: Int) {
            self.width = width
            self.height = height
        }
    }

    public struct Control: Sendable {
        public var id: UInt32
        public var name: String
        /// enum v4l2_ctrl_type value.
        public var type: UInt32
        public var minimum: Int32
        public var maximum: Int32
        public var step: Int32
        public var defaultValue: Int32
        public var menu: [String]

        public init(id: UInt32, name: String, type: UInt32 = V4L2_CTRL_TYPE_INTEGER.rawValue, minimum: Int32,
                    maximum: Int32, step: Int32 = 1, defaultValue: Int32, menu: [String] = []) {
            self.id = id
            self.name = name
            self.type = type
            self.minimum = minimum
            self.maximum = maximum
            self.step = step
            self.defaultValue = defaultValue
            self.menu = menu
        }
    }

    public var path: String
    public var driver: String
    public var card: String
    public var busInfo: String
    /// Device capability bits (V4L2_CAP_*), reported as device_caps.
    public var capabilities: UInt32
    public var formats: [Format]
    public var controls: [Control]
    /// Whether VIDIOC_G_PARM/S_PARM take a frame interval (V4L2_CAP_TIMEPERFRAME).
    public var supportsFrameInterval: Bool
    /// VIDIOC_REQBUFS grants at most this many buffers.
    public var maximumBuffers: Int
    /// Extra bytes at the end of every row (bytesperline = width * bpp + padding).
    public var rowPadding: Int

    public init(path: String = "/dev/video0", driver: String = "fakecam", card: String = "Fake Line Camera",
                busInfo: String = "platform:fakecam-0",
                capabilities: UInt32 = UInt32(V4L2_CAP_VIDEO_CAPTURE) | UInt32(V4L2_CAP_STREAMING),
                formats: [Format], controls: [Control] = FakeCameraModel.uvcControls, supportsFrameInterval: Bool = true,
                maximumBuffers: Int = 8, rowPadding: Int = 0) {
        self.path = path
        self.driver = driver
        self.card = card
        self.busInfo = busInfo
        self.capabilities = capabilities
        self.formats = formats
        self.controls = controls
        self.supportsFrameInterval = supportsFrameInterval
        self.maximumBuffers = maximumBuffers
        self.rowPadding = rowPadding
    }

    /// A UVC-like webcam: YUYV at 640x480, 320x240, 1280x720 (30 and 15 fps), MJPEG, and the
    /// usual exposure, gain, white balance and focus controls.
    public static func uvcWebcam(path: String = "/dev/video0") -> FakeCameraModel {
        FakeCameraModel(path: path, driver: "uvcvideo", card: "Fake UVC Camera", busInfo: "usb-0000:01:00.0-1.2",
                        formats: [
                            Format(.yuyv, "YUYV 4:2:2", sizes: [Size(640, 480), Size(320, 240), Size(1280, 720)]),
                            Format(.mjpeg, "Motion-JPEG", sizes: [Size(640, 480), Size(1920, 1080)], framesPerSecond: [30]),
                        ])
    }

    /// A monochrome industrial camera: GREY only.
    public static func monochrome(path: String = "/dev/video0") -> FakeCameraModel {
        FakeCameraModel(path: path, driver: "fakemono", card: "Fake Mono Camera", busInfo: "platform:mono",
                        formats: [Format(.grey, "8-bit Greyscale", sizes: [Size(640, 480), Size(1280, 1024)],
                                         framesPerSecond: [60, 30])])
    }

    public static let uvcControls: [Control] = [
        Control(id: lsv4l2_CID_BRIGHTNESS, name: "Brightness", minimum: -64, maximum: 64, defaultValue: 0),
        Control(id: lsv4l2_CID_AUTO_WHITE_BALANCE, name: "White Balance, Automatic",
                type: V4L2_CTRL_TYPE_BOOLEAN.rawValue, minimum: 0, maximum: 1, defaultValue: 1),
        Control(id: lsv4l2_CID_GAIN, name: "Gain", minimum: 0, maximum: 100, defaultValue: 32),
        Control(id: lsv4l2_CID_WHITE_BALANCE_TEMPERATURE, name: "White Balance Temperature", minimum: 2800,
                maximum: 6500, step: 10, defaultValue: 4600),
        Control(id: lsv4l2_CID_EXPOSURE_AUTO, name: "Auto Exposure", type: V4L2_CTRL_TYPE_MENU.rawValue, minimum: 0,
                maximum: 3, defaultValue: 3,
                menu: ["Auto Mode", "Manual Mode", "Shutter Priority Mode", "Aperture Priority Mode"]),
        Control(id: lsv4l2_CID_EXPOSURE_ABSOLUTE, name: "Exposure Time, Absolute", minimum: 3, maximum: 2047,
                defaultValue: 250),
        Control(id: lsv4l2_CID_FOCUS_ABSOLUTE, name: "Focus, Absolute", minimum: 0, maximum: 250, step: 5,
                defaultValue: 0),
        Control(id: lsv4l2_CID_FOCUS_AUTO, name: "Focus, Automatic Continuous", type: V4L2_CTRL_TYPE_BOOLEAN.rawValue,
                minimum: 0, maximum: 1, defaultValue: 1),
    ]
}
