import Imaging

/// Anything that yields frames: a V4L2 camera, an image-folder replay, a reconnecting wrapper.
///
/// One consumer drives a source from one thread: `start()`, then `withNextFrame` in a loop, then
/// `stop()`. Frames are lent to the body and returned to the source when it ends.
public protocol FrameSource: AnyObject {
    /// The device path or folder, for messages.
    var name: String { get }
    /// Counters since construction.
    var statistics: CaptureStatistics { get }
    /// Acquires the device (or folder) and starts streaming.
    func start() throws(CaptureError)
    /// Waits up to `timeout` for the next frame and lends it to `body`; rethrows what `body` throws.
    /// Source faults arrive as `CaptureError`.
    func withNextFrame<R>(timeout: Duration, _ body: (Frame) throws -> R) throws -> R
    /// Stops streaming and releases the device. Safe to call more than once.
    func stop()
}

/// The region of interest of one frame, converted and owned, with the frame's identity (and, when
/// asked for, the whole frame scaled down for a person to see).
public struct CapturedImage: Sendable {
    public var image: Image
    public var sequence: UInt32
    public var timestampNanoseconds: UInt64
    public var overview: FrameOverview?

    public init(image: Image, sequence: UInt32, timestampNanoseconds: UInt64, overview: FrameOverview? = nil) {
        self.image = image
        self.sequence = sequence
        self.timestampNanoseconds = timestampNanoseconds
        self.overview = overview
    }
}

extension FrameSource {
    /// The next frame's region of interest as an owned `Image` (converted once, ROI only), with
    /// the frame's overview when `overview` is true.
    public func nextImage(timeout: Duration, roi: PixelRect? = nil, layout: Image.Layout? = nil,
                          overview: Bool = false) throws -> CapturedImage {
        try withNextFrame(timeout: timeout) { frame in
            CapturedImage(image: try frame.image(roi: roi, layout: layout), sequence: frame.sequence,
                          timestampNanoseconds: frame.timestampNanoseconds,
                          overview: overview ? try frame.overview(region: roi) : nil)
        }
    }
}

/// Counters a frame source keeps.
public struct CaptureStatistics: Sendable, Equatable {
    public var framesDelivered: UInt64 = 0
    /// Frames the driver skipped, from gaps in `v4l2_buffer.sequence`.
    public var framesDropped: UInt64 = 0
    /// Buffers the driver flagged V4L2_BUF_FLAG_ERROR or delivered short; requeued unseen.
    public var corruptFrames: UInt64 = 0
    public var timeouts: UInt64 = 0
    public var reconnects: UInt64 = 0

    public init() {}
}

/// Things worth a log line that are not errors.
public enum CaptureEvent: Sendable, Equatable {
    case formatNegotiated(FormatNegotiation)
    case frameRateNegotiated(requested: Int, granted: FrameRate?)
    case controlSkipped(control: String, reason: String)
    case framesDropped(count: UInt32, beforeSequence: UInt32)
    case corruptFrameSkipped(sequence: UInt32)
    case reconnecting(attempt: Int, delay: Duration, cause: CaptureError)
    case reconnected(attempt: Int)
}

/// How the driver answered the requested format, as libcamera's validate() reports it.
public enum FormatNegotiation: Sendable, Equatable {
    /// Granted as asked.
    case accepted(FrameFormat)
    /// The driver changed size or pixel format (refused in strict mode).
    case adjusted(requested: FrameFormat, granted: FrameFormat)

    public var granted: FrameFormat {
        switch self {
        case let .accepted(format): format
        case let .adjusted(_, granted): granted
        }
    }
}
