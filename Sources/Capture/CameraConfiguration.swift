import Imaging

/// What a line camera must deliver: which device, which format and rate, manual controls, the region
/// of interest handed to the model, and how strictly the driver's answers are taken.
public struct CameraConfiguration: Sendable, Equatable {
    /// A device path ("/dev/video0") or a /dev/v4l/by-id name ("usb-Vendor_Cam_123-video-index0").
    public var device: String
    public var width: Int
    public var height: Int
    /// YUYV or GREY for the raw sensor path; RGB24 lets libv4l2 convert YUYV or MJPEG.
    public var pixelFormat: PixelFormat
    /// Requested frame rate (VIDIOC_S_PARM); nil keeps the driver's.
    public var framesPerSecond: Int?
    /// Strict: an adjusted format, frame rate or a missing control is an error, not a warning.
    public var strict: Bool
    public var controls: CameraControls
    /// The crop handed to the model; nil means the whole frame.
    public var regionOfInterest: PixelRect?
    /// Number of mmap buffers asked of VIDIOC_REQBUFS (a fixed pool, reused).
    public var bufferCount: Int

    public init(device: String, width: Int = 640, height: Int = 480, pixelFormat: PixelFormat = .yuyv,
                framesPerSecond: Int? = nil, strict: Bool = false, controls: CameraControls = CameraControls(),
                regionOfInterest: PixelRect? = nil, bufferCount: Int = 4) {
        self.device = device
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.framesPerSecond = framesPerSecond
        self.strict = strict
        self.controls = controls
        self.regionOfInterest = regionOfInterest
        self.bufferCount = bufferCount
    }

    /// The node to open: the device itself when it is a path, else its /dev/v4l/by-id link.
    public var devicePath: String {
        device.hasPrefix("/") ? device : "/dev/v4l/by-id/" + device
    }

    /// The format asked of VIDIOC_S_FMT.
    public var requestedFormat: FrameFormat {
        FrameFormat(width: width, height: height, pixelFormat: pixelFormat)
    }
}
