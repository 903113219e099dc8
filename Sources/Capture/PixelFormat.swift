/// A V4L2 pixel format: the kernel's four-character code (`v4l2_pix_format.pixelformat`).
public struct PixelFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The code of four ASCII characters, as `v4l2_fourcc(a, b, c, d)` builds it.
    public init(fourCC: StaticString) {
        precondition(fourCC.utf8CodeUnitCount == 4, "a fourcc has four characters")
        let p = fourCC.utf8Start
        rawValue = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
    }

    /// YUV 4:2:2 packed as Y0 U Y1 V (V4L2_PIX_FMT_YUYV): what UVC cameras and vivid deliver.
    public static let yuyv = PixelFormat(fourCC: "YUYV")
    /// Motion JPEG (V4L2_PIX_FMT_MJPEG): libv4l2 decodes it to RGB24 when RGB24 is requested.
    public static let mjpeg = PixelFormat(fourCC: "MJPG")
    /// Packed 8-bit R, G, B (V4L2_PIX_FMT_RGB24).
    public static let rgb24 = PixelFormat(fourCC: "RGB3")
    /// 8-bit luminance (V4L2_PIX_FMT_GREY).
    public static let grey = PixelFormat(fourCC: "GREY")

    /// Bytes per pixel in a packed row, or nil for compressed formats.
    public var bytesPerPixel: Int? {
        switch self {
        case .yuyv: 2
        case .rgb24: 3
        case .grey: 1
        default: nil
        }
    }

    /// The four characters (non-printable bytes as '?').
    public var description: String {
        var text = ""
        for shift in stride(from: 0, to: 32, by: 8) {
            let byte = UInt8(truncatingIfNeeded: rawValue >> UInt32(shift))
            text.append(byte >= 0x20 && byte < 0x7f ? Character(Unicode.Scalar(byte)) : "?")
        }
        return text
    }
}

/// The geometry a driver granted (`v4l2_pix_format`): size, pixel format, row stride and buffer size.
public struct FrameFormat: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    /// Bytes from one row to the next (`bytesperline`), padding included.
    public var bytesPerRow: Int
    /// Bytes a whole frame needs (`sizeimage`).
    public var frameBytes: Int
    /// YUV quantization: true when the driver reports full range (V4L2_QUANTIZATION_FULL_RANGE).
    public var fullRangeYUV: Bool

    public init(width: Int, height: Int, pixelFormat: PixelFormat, bytesPerRow: Int = 0, frameBytes: Int = 0,
                fullRangeYUV: Bool = false) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        let packedRow = width * (pixelFormat.bytesPerPixel ?? 0)
        self.bytesPerRow = bytesPerRow > 0 ? bytesPerRow : packedRow
        self.frameBytes = frameBytes > 0 ? frameBytes : self.bytesPerRow * height
        self.fullRangeYUV = fullRangeYUV
    }

    /// "640x480 YUYV"
    public var description: String { "\(width)x\(height) \(pixelFormat)" }

    /// True when size and pixel format match (strides may differ).
    public func sameGeometry(as other: FrameFormat) -> Bool {
        width == other.width && height == other.height && pixelFormat == other.pixelFormat
    }
}
