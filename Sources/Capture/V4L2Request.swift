import CV4L2Types

/// A VIDIOC_* ioctl request code with its name, for call logs and error messages.
public struct V4L2Request: Hashable, Sendable, CustomStringConvertible {
    public let code: UInt
    public let name: String

    public init(code: UInt, name: String) {
        self.code = code
        self.name = name
    }

    public var description: String { name }

    public static let queryCapabilities = V4L2Request(code: lsv4l2_VIDIOC_QUERYCAP, name: "VIDIOC_QUERYCAP")
    public static let enumerateFormats = V4L2Request(code: lsv4l2_VIDIOC_ENUM_FMT, name: "VIDIOC_ENUM_FMT")
    public static let enumerateFrameSizes = V4L2Request(code: lsv4l2_VIDIOC_ENUM_FRAMESIZES, name: "VIDIOC_ENUM_FRAMESIZES")
    public static let enumerateFrameIntervals = V4L2Request(code: lsv4l2_VIDIOC_ENUM_FRAMEINTERVALS,
                                                            name: "VIDIOC_ENUM_FRAMEINTERVALS")
    public static let getFormat = V4L2Request(code: lsv4l2_VIDIOC_G_FMT, name: "VIDIOC_G_FMT")
    public static let setFormat = V4L2Request(code: lsv4l2_VIDIOC_S_FMT, name: "VIDIOC_S_FMT")
    public static let tryFormat = V4L2Request(code: lsv4l2_VIDIOC_TRY_FMT, name: "VIDIOC_TRY_FMT")
    public static let getParameters = V4L2Request(code: lsv4l2_VIDIOC_G_PARM, name: "VIDIOC_G_PARM")
    public static let setParameters = V4L2Request(code: lsv4l2_VIDIOC_S_PARM, name: "VIDIOC_S_PARM")
    public static let queryControl = V4L2Request(code: lsv4l2_VIDIOC_QUERYCTRL, name: "VIDIOC_QUERYCTRL")
    public static let queryMenu = V4L2Request(code: lsv4l2_VIDIOC_QUERYMENU, name: "VIDIOC_QUERYMENU")
    public static let getControl = V4L2Request(code: lsv4l2_VIDIOC_G_CTRL, name: "VIDIOC_G_CTRL")
    public static let setControl = V4L2Request(code: lsv4l2_VIDIOC_S_CTRL, name: "VIDIOC_S_CTRL")
    public static let requestBuffers = V4L2Request(code: lsv4l2_VIDIOC_REQBUFS, name: "VIDIOC_REQBUFS")
    public static let queryBuffer = V4L2Request(code: lsv4l2_VIDIOC_QUERYBUF, name: "VIDIOC_QUERYBUF")
    public static let queueBuffer = V4L2Request(code: lsv4l2_VIDIOC_QBUF, name: "VIDIOC_QBUF")
    public static let dequeueBuffer = V4L2Request(code: lsv4l2_VIDIOC_DQBUF, name: "VIDIOC_DQBUF")
    public static let streamOn = V4L2Request(code: lsv4l2_VIDIOC_STREAMON, name: "VIDIOC_STREAMON")
    public static let streamOff = V4L2Request(code: lsv4l2_VIDIOC_STREAMOFF, name: "VIDIOC_STREAMOFF")

    public static let all: [V4L2Request] = [
        .queryCapabilities, .enumerateFormats, .enumerateFrameSizes, .enumerateFrameIntervals, .getFormat,
        .setFormat, .tryFormat, .getParameters, .setParameters, .queryControl, .queryMenu, .getControl,
        .setControl, .requestBuffers, .queryBuffer, .queueBuffer, .dequeueBuffer, .streamOn, .streamOff,
    ]

    /// The name of a request code ("0x…" when unknown).
    public static func name(of code: UInt) -> String {
        all.first { $0.code == code }?.name ?? "ioctl 0x" + String(code, radix: 16)
    }
}
