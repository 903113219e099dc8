import CV4L2Types
import Glibc
import SystemPackage

/// Asks a V4L2 device what it offers: VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_ENUM_FRAMESIZES,
/// VIDIOC_ENUM_FRAMEINTERVALS, VIDIOC_QUERYCTRL (walking V4L2_CTRL_FLAG_NEXT_CTRL), VIDIOC_G_CTRL,
/// VIDIOC_QUERYMENU. Opens the node read-write and non-blocking; streams nothing.
public enum DeviceProber {
    public static func describe(path: String, device: any V4L2Device, stableNames: [String] = []) throws(CaptureError) -> DeviceDescription {
        let fd = try device.openForCapture(path)
        defer { try? device.close(fd) }
        let calls = DeviceCalls(device: device, path: path, fd: fd)
        var capability = v4l2_capability()
        try calls.ioctl(.queryCapabilities, &capability)
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
        let formats = caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 ? try enumerateFormats(calls) : []
        return DeviceDescription(path: path, stableNames: stableNames, driver: cString(capability.driver),
                                 card: cString(capability.card), busInfo: cString(capability.bus_info),
                                 capabilities: caps, capabilityNames: capabilityNames(caps), formats: formats,
                                 controls: try enumerateControls(calls))
    }

    static func enumerateFormats(_ calls: DeviceCalls) throws(CaptureError) -> [FormatDescription] {
        var formats: [FormatDescription] = []
        for index in UInt32(0)... {
            var entry = v4l2_fmtdesc()
            entry.index = index
            entry.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard try endsOnInvalid({ () throws(Errno) in try calls.rawIoctl(.enumerateFormats, &entry) }, calls, .enumerateFormats) else { break }
            let pixelFormat = PixelFormat(rawValue: entry.pixelformat)
            formats.append(FormatDescription(pixelFormat: pixelFormat, description: cString(entry.description),
                                             emulated: entry.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0,
                                             compressed: entry.flags & UInt32(V4L2_FMT_FLAG_COMPRESSED) != 0,
                                             sizes: try enumerateSizes(calls, pixelFormat)))
        }
        return formats
    }

    static func enumerateSizes(_ calls: DeviceCalls, _ pixelFormat: PixelFormat) throws(CaptureError) -> [FrameSizeDescription] {
        var sizes: [FrameSizeDescription] = []
        for index in UInt32(0)... {
            var entry = v4l2_frmsizeenum()
            entry.index = index
            entry.pixel_format = pixelFormat.rawValue
            guard try endsOnInvalid({ () throws(Errno) in try calls.rawIoctl(.enumerateFrameSizes, &entry) }, calls, .enumerateFrameSizes) else { break }
            if entry.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                let width = entry.discrete.width, height = entry.discrete.height
                sizes.append(.discrete(width: Int(width), height: Int(height),
                                       intervals: try enumerateIntervals(calls, pixelFormat, width, height)))
            } else {
                let s = entry.stepwise
                sizes.append(.stepwise(minWidth: Int(s.min_width), maxWidth: Int(s.max_width), stepWidth: Int(s.step_width),
                                       minHeight: Int(s.min_height), maxHeight: Int(s.max_height), stepHeight: Int(s.step_height)))
                break
            }
        }
        return sizes
    }

    static func enumerateIntervals(_ calls: DeviceCalls, _ pixelFormat: PixelFormat, _ width: UInt32,
                                   _ height: UInt32) throws(CaptureError) -> [FrameRate] {
        var intervals: [FrameRate] = []
        for index in UInt32(0)... {
            var entry = v4l2_frmivalenum()
            entry.index = index
            entry.pixel_format = pixelFormat.rawValue
            entry.width = width
            entry.height = height
            guard try endsOnInvalid({ () throws(Errno) in try calls.rawIoctl(.enumerateFrameIntervals, &entry) }, calls, .enumerateFrameIntervals) else { break }
            guard entry.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue else {
                // Stepwise intervals: report the fastest and slowest.
                let s = entry.stepwise
                intervals.append(FrameRate(numerator: s.min.numerator, denominator: s.min.denominator))
                intervals.append(FrameRate(numerator: s.max.numerator, denominator: s.max.denominator))
                break
            }
            intervals.append(FrameRate(numerator: entry.discrete.numerator, denominator: entry.discrete.denominator))
        }
        return intervals
    }

    static func enumerateControls(_ calls: DeviceCalls) throws(CaptureError) -> [ControlDescription] {
        var controls: [ControlDescription] = []
        var nextID = lsv4l2_CTRL_FLAG_NEXT_CTRL
        while true {
            var query = v4l2_queryctrl()
            query.id = nextID
            guard try endsOnInvalid({ () throws(Errno) in try calls.rawIoctl(.queryControl, &query) }, calls, .queryControl) else { break }
            nextID = query.id | lsv4l2_CTRL_FLAG_NEXT_CTRL
            if query.flags & lsv4l2_CTRL_FLAG_DISABLED != 0 || query.type == V4L2_CTRL_TYPE_CTRL_CLASS.rawValue { continue }
            var current = v4l2_control(id: query.id, value: 0)
            let hasValue = (try? calls.rawIoctl(.getControl, &current)) != nil
            var entries: [ControlDescription.MenuEntry] = []
            if query.type == V4L2_CTRL_TYPE_MENU.rawValue, query.minimum <= query.maximum {
                for item in query.minimum...query.maximum {
                    var menu = v4l2_querymenu()
                    menu.id = query.id
                    menu.index = UInt32(bitPattern: item)
                    if (try? calls.rawIoctl(.queryMenu, &menu)) != nil {
                        entries.append(.init(index: item, name: cString(menu.name)))
                    }
                }
            }
            controls.append(ControlDescription(id: query.id, name: cString(query.name), type: controlTypeName(query.type),
                                               minimum: query.minimum, maximum: query.maximum, step: query.step,
                                               defaultValue: query.default_value,
                                               currentValue: hasValue ? current.value : nil, flags: query.flags,
                                               menuEntries: entries))
        }
        return controls
    }

    /// Runs one enumeration step: true when it answered, false when EINVAL ends the list.
    private static func endsOnInvalid(_ call: () throws(Errno) -> Void, _ calls: DeviceCalls,
                                      _ request: V4L2Request) throws(CaptureError) -> Bool {
        do {
            try call()
            return true
        } catch {
            if error == .invalidArgument || error == .inappropriateIOCTLForDevice { return false }
            throw CaptureError.fromDeviceCall(error, device: calls.path, operation: request.name)
        }
    }

    static func capabilityNames(_ caps: UInt32) -> [String] {
        let names: [(UInt32, String)] = [
            (UInt32(V4L2_CAP_VIDEO_CAPTURE), "video-capture"), (UInt32(V4L2_CAP_VIDEO_CAPTURE_MPLANE), "video-capture-mplane"),
            (UInt32(V4L2_CAP_VIDEO_OUTPUT), "video-output"), (UInt32(V4L2_CAP_META_CAPTURE), "metadata-capture"),
            (UInt32(V4L2_CAP_READWRITE), "read-write"), (UInt32(V4L2_CAP_STREAMING), "streaming"),
            (UInt32(V4L2_CAP_EXT_PIX_FORMAT), "extended-pix-format"),
        ]
        return names.filter { caps & $0.0 != 0 }.map(\.1)
    }

    static func controlTypeName(_ type: UInt32) -> String {
        switch type {
        case V4L2_CTRL_TYPE_INTEGER.rawValue: "integer"
        case V4L2_CTRL_TYPE_BOOLEAN.rawValue: "boolean"
        case V4L2_CTRL_TYPE_MENU.rawValue: "menu"
        case V4L2_CTRL_TYPE_BUTTON.rawValue: "button"
        case V4L2_CTRL_TYPE_INTEGER64.rawValue: "integer64"
        case V4L2_CTRL_TYPE_INTEGER_MENU.rawValue: "integer-menu"
        case V4L2_CTRL_TYPE_BITMASK.rawValue: "bitmask"
        case V4L2_CTRL_TYPE_STRING.rawValue: "string"
        default: "type \(type)"
        }
    }
}

/// A NUL-terminated C char array (imported as a tuple) as a String.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
}
