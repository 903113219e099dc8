import CV4L2Types
import SystemPackage

/// The set-up steps of a V4L2 capture session, each one ioctl exchange with the driver.
enum V4L2Negotiation {
    /// VIDIOC_QUERYCAP: the device (its device_caps when given) must offer video capture and streaming.
    static func checkCapabilities(_ calls: DeviceCalls) throws(CaptureError) {
        var capability = v4l2_capability()
        try calls.ioctl(.queryCapabilities, &capability)
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
        var missing: [String] = []
        if caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) == 0 { missing.append("video capture") }
        if caps & UInt32(V4L2_CAP_STREAMING) == 0 { missing.append("streaming") }
        guard missing.isEmpty else {
            throw .notAVideoCaptureDevice(device: calls.path, missing: missing.joined(separator: " and "))
        }
    }

    /// VIDIOC_S_FMT with the requested size and pixel format; the driver's answer is accepted,
    /// adjusted (an error in strict mode) or unusable (a format lineside cannot convert).
    static func negotiateFormat(_ calls: DeviceCalls, requested: FrameFormat, strict: Bool) throws(CaptureError) -> FormatNegotiation {
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        format.fmt.pix.width = UInt32(requested.width)
        format.fmt.pix.height = UInt32(requested.height)
        format.fmt.pix.pixelformat = requested.pixelFormat.rawValue
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        try calls.ioctl(.setFormat, &format)
        let pix = format.fmt.pix
        let fullRange = pix.quantization == V4L2_QUANTIZATION_FULL_RANGE.rawValue
            || (pix.quantization == V4L2_QUANTIZATION_DEFAULT.rawValue && pix.colorspace == V4L2_COLORSPACE_JPEG.rawValue)
        let granted = FrameFormat(width: Int(pix.width), height: Int(pix.height),
                                  pixelFormat: PixelFormat(rawValue: pix.pixelformat),
                                  bytesPerRow: Int(pix.bytesperline), frameBytes: Int(pix.sizeimage),
                                  fullRangeYUV: fullRange)
        guard granted.pixelFormat.bytesPerPixel != nil, granted.width > 0, granted.height > 0 else {
            throw .formatUnusable(device: calls.path, granted: granted)
        }
        if granted.sameGeometry(as: requested) { return .accepted(granted) }
        if strict { throw .formatAdjusted(device: calls.path, requested: requested, granted: granted) }
        return .adjusted(requested: requested, granted: granted)
    }

    /// VIDIOC_G_PARM to see whether the driver takes a frame interval (V4L2_CAP_TIMEPERFRAME), then
    /// VIDIOC_S_PARM with 1/fps. Returns the interval granted, or nil when the driver has none.
    static func negotiateFrameRate(_ calls: DeviceCalls, framesPerSecond: Int, strict: Bool) throws(CaptureError) -> FrameRate? {
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        do {
            try calls.rawIoctl(.getParameters, &parameters)
        } catch {
            guard error == .invalidArgument || error == .inappropriateIOCTLForDevice else {
                throw CaptureError.fromDeviceCall(error, device: calls.path, operation: V4L2Request.getParameters.name)
            }
            parameters.parm.capture.capability = 0
        }
        guard parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 else {
            if strict { throw .frameRateNotGranted(device: calls.path, requested: framesPerSecond, granted: nil) }
            return nil
        }
        let requested = FrameRate(framesPerSecond: framesPerSecond)
        parameters.parm.capture.timeperframe.numerator = requested.numerator
        parameters.parm.capture.timeperframe.denominator = requested.denominator
        try calls.ioctl(.setParameters, &parameters)
        let interval = parameters.parm.capture.timeperframe
        let granted = FrameRate(numerator: interval.numerator, denominator: interval.denominator)
        if strict && !granted.isClose(to: requested) {
            throw .frameRateNotGranted(device: calls.path, requested: framesPerSecond, granted: granted)
        }
        return granted
    }
}
