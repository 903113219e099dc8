import Imaging
import SystemPackage

/// Everything that can go wrong while taking frames, each with a one-line description naming the
/// device (or folder), the operation and, for system calls, the errno text.
public enum CaptureError: Error, Equatable, CustomStringConvertible {
    /// open(2) refused with EACCES or EPERM: the process lacks access to the device node.
    case permissionDenied(device: String)
    /// EBUSY: another process streams from the device, or buffers are still allocated.
    case deviceBusy(device: String, operation: String)
    /// The device node does not exist (ENOENT, or ENODEV/ENXIO at open): not plugged in.
    case deviceNotFound(device: String)
    /// The device went away while in use (ENODEV, ENXIO or EIO), typically unplugged.
    case deviceGone(device: String, operation: String, errno: Errno)
    /// No frame arrived within the timeout.
    case noFrame(device: String, timeout: Duration)
    /// VIDIOC_QUERYCAP does not show a capability lineside needs ("video capture", "streaming").
    case notAVideoCaptureDevice(device: String, missing: String)
    /// Strict mode: the driver adjusted the requested format.
    case formatAdjusted(device: String, requested: FrameFormat, granted: FrameFormat)
    /// The driver granted a pixel format lineside cannot hand to the model (compressed, unknown).
    case formatUnusable(device: String, granted: FrameFormat)
    /// Strict mode: the frame rate could not be set as asked.
    case frameRateNotGranted(device: String, requested: Int, granted: FrameRate?)
    /// Strict mode: the device has no such control.
    case controlUnsupported(device: String, control: String)
    /// A configured control value lies outside the range the driver reports.
    case controlOutOfRange(device: String, control: String, value: Int32, minimum: Int32, maximum: Int32)
    /// VIDIOC_REQBUFS granted fewer buffers than streaming needs.
    case tooFewBuffers(device: String, requested: Int, granted: Int)
    /// Any other failed system call.
    case systemCallFailed(device: String, operation: String, errno: Errno)
    /// The region of interest does not lie inside the frame.
    case roiOutsideFrame(roi: PixelRect, width: Int, height: Int)
    /// `Frame.copy(roi:into:)` was given an image whose size is not the ROI's.
    case imageSizeMismatch(roi: PixelRect, imageWidth: Int, imageHeight: Int)
    /// The frame's pixel format cannot be converted to the image layout (e.g. MJPEG without libv4l2).
    case unsupportedConversion(from: PixelFormat, to: Image.Layout)
    /// A frame holds fewer bytes than its geometry needs.
    case truncatedFrame(sequence: UInt32, bytes: Int, expected: Int)
    /// A frame was asked for before `start()` or after `stop()`.
    case notStarted(source: String)
    /// A replay folder could not be read.
    case replayFolderUnreadable(folder: String, errno: Errno)
    /// A replay folder holds no image files.
    case replayFolderEmpty(folder: String)
    /// A replayed image could not be decoded.
    case replayImageUnreadable(path: String, reason: String)
    /// A non-looping replay has shown every image.
    case replayFinished(folder: String)
    /// The reconnect policy's attempt limit was reached.
    case reconnectGaveUp(source: String, attempts: Int, lastError: String)

    public var description: String {
        switch self {
        case let .permissionDenied(device):
            "permission denied opening \(device): add the user to the 'video' group (or fix the udev rule)"
        case let .deviceBusy(device, operation):
            "\(device) is busy (\(operation)): another process is using the camera"
        case let .deviceNotFound(device):
            "\(device) not found: camera unplugged or wrong device name"
        case let .deviceGone(device, operation, errno):
            "\(device) disappeared during \(operation): \(errno) (camera unplugged?)"
        case let .noFrame(device, timeout):
            "no frame from \(device) within \(timeout)"
        case let .notAVideoCaptureDevice(device, missing):
            "\(device) is not usable: VIDIOC_QUERYCAP lacks \(missing)"
        case let .formatAdjusted(device, requested, granted):
            "\(device) refused format \(requested) in strict mode: driver offers \(granted)"
        case let .formatUnusable(device, granted):
            "\(device) granted format \(granted), which lineside cannot convert"
        case let .frameRateNotGranted(device, requested, granted):
            "\(device) refused \(requested) fps in strict mode: driver offers \(granted.map { "\($0)" } ?? "no frame-rate control")"
        case let .controlUnsupported(device, control):
            "\(device) has no control '\(control)' (VIDIOC_QUERYCTRL)"
        case let .controlOutOfRange(device, control, value, minimum, maximum):
            "\(device) control '\(control)' value \(value) outside \(minimum)...\(maximum)"
        case let .tooFewBuffers(device, requested, granted):
            "\(device) VIDIOC_REQBUFS granted \(granted) of \(requested) buffers"
        case let .systemCallFailed(device, operation, errno):
            "\(device) \(operation) failed: \(errno)"
        case let .roiOutsideFrame(roi, width, height):
            "region of interest \(roi.width)x\(roi.height)+\(roi.x)+\(roi.y) lies outside the \(width)x\(height) frame"
        case let .imageSizeMismatch(roi, imageWidth, imageHeight):
            "region of interest \(roi.width)x\(roi.height) does not match the \(imageWidth)x\(imageHeight) target image"
        case let .unsupportedConversion(format, layout):
            "cannot convert \(format) frames to \(layout == .rgb ? "RGB" : "grey") images"
        case let .truncatedFrame(sequence, bytes, expected):
            "frame \(sequence) holds \(bytes) bytes, \(expected) expected"
        case let .notStarted(source):
            "\(source) is not started"
        case let .replayFolderUnreadable(folder, errno):
            "cannot list replay folder \(folder): \(errno)"
        case let .replayFolderEmpty(folder):
            "replay folder \(folder) holds no images"
        case let .replayImageUnreadable(path, reason):
            "cannot load replay image \(path): \(reason)"
        case let .replayFinished(folder):
            "replay of \(folder) finished"
        case let .reconnectGaveUp(source, attempts, lastError):
            "gave up reconnecting \(source) after \(attempts) attempts; last error: \(lastError)"
        }
    }

    /// True for faults a reconnect can cure (unplug, busy, missing node, stalled stream, a node whose
    /// permissions udev has not set yet); false for configuration errors.
    public var isTransient: Bool {
        switch self {
        case .permissionDenied, .deviceBusy, .deviceNotFound, .deviceGone, .noFrame, .systemCallFailed:
            true
        default:
            false
        }
    }

    /// Maps an errno from an ioctl, mmap or poll on an open device to the error it means.
    static func fromDeviceCall(_ errno: Errno, device: String, operation: String) -> CaptureError {
        switch errno {
        case .operationNotSupportedByDevice, .noSuchAddressOrDevice, .ioError:
            .deviceGone(device: device, operation: operation, errno: errno)
        case .resourceBusy:
            .deviceBusy(device: device, operation: operation)
        default:
            .systemCallFailed(device: device, operation: operation, errno: errno)
        }
    }

    /// Maps an errno from open(2) to the error it means.
    static func fromOpen(_ errno: Errno, device: String) -> CaptureError {
        switch errno {
        case .permissionDenied, .notPermitted:
            .permissionDenied(device: device)
        case .noSuchFileOrDirectory, .operationNotSupportedByDevice, .noSuchAddressOrDevice:
            .deviceNotFound(device: device)
        case .resourceBusy:
            .deviceBusy(device: device, operation: "open")
        case .inappropriateIOCTLForDevice:
            // libv4l2's v4l2_open asks VIDIOC_QUERYCAP itself and fails when the node is not V4L2.
            .notAVideoCaptureDevice(device: device, missing: "V4L2 support (ENOTTY)")
        default:
            .systemCallFailed(device: device, operation: "open", errno: errno)
        }
    }
}
