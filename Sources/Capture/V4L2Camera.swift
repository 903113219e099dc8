import CV4L2Types
import Glibc
import Platform
import SystemPackage

/// A V4L2 camera streaming through memory-mapped buffers (a fixed pool, reused).
///
/// `start()`: open (O_RDWR | O_NONBLOCK), VIDIOC_QUERYCAP, VIDIOC_S_FMT, VIDIOC_G_PARM/S_PARM,
/// controls (VIDIOC_QUERYCTRL/S_CTRL), VIDIOC_REQBUFS, VIDIOC_QUERYBUF + mmap, VIDIOC_QBUF each,
/// VIDIOC_STREAMON. Each frame: poll with the timeout, VIDIOC_DQBUF, lend, VIDIOC_QBUF.
/// `stop()`: VIDIOC_STREAMOFF, munmap, close. The syscalls go through a `V4L2Device`.
public final class V4L2Camera: FrameSource {
    public let configuration: CameraConfiguration
    public private(set) var statistics = CaptureStatistics()
    /// The driver's answer to the requested format, once started.
    public private(set) var formatNegotiation: FormatNegotiation?
    /// The frame interval the driver granted (nil: not asked, or the driver has none).
    public private(set) var grantedFrameRate: FrameRate?
    /// Receives negotiation results, skipped controls, drops and skipped corrupt frames.
    public var onEvent: ((CaptureEvent) -> Void)?

    private let device: any V4L2Device
    private let clock: any MonotonicClock
    private var session: V4L2Session?
    private var dropCounter = DroppedFrameCounter()

    public init(configuration: CameraConfiguration, device: any V4L2Device,
                clock: any MonotonicClock = SystemClock()) {
        self.configuration = configuration
        self.device = device
        self.clock = clock
    }

    public var name: String { configuration.devicePath }

    /// True between a successful `start()` and `stop()`.
    public var isStreaming: Bool { session != nil }

    public func start() throws(CaptureError) {
        stop()
        let path = name, device = self.device
        let fd = try device.openForCapture(path)
        let session = V4L2Session(calls: DeviceCalls(device: device, path: path, fd: fd))
        let calls = session.calls
        try V4L2Negotiation.checkCapabilities(calls)
        let negotiation = try V4L2Negotiation.negotiateFormat(calls, requested: configuration.requestedFormat,
                                                              strict: configuration.strict)
        formatNegotiation = negotiation
        report(.formatNegotiated(negotiation))
        let granted = negotiation.granted
        if let roi = configuration.regionOfInterest, !roi.fits(width: granted.width, height: granted.height) {
            throw .roiOutsideFrame(roi: roi, width: granted.width, height: granted.height)
        }
        if let fps = configuration.framesPerSecond {
            grantedFrameRate = try V4L2Negotiation.negotiateFrameRate(calls, framesPerSecond: fps,
                                                                      strict: configuration.strict)
            report(.frameRateNegotiated(requested: fps, granted: grantedFrameRate))
        }
        try ControlWriter(calls: calls, strict: configuration.strict, report: { [weak self] in self?.report($0) })
            .apply(configuration.controls.settings)
        try session.allocateBuffers(count: configuration.bufferCount)
        for index in session.buffers.indices {
            try session.queue(UInt32(index))
        }
        try session.streamOn()
        dropCounter.streamRestarted()
        self.session = session
    }

    public func stop() {
        session?.close()
        session = nil
    }

    public func withNextFrame<R>(timeout: Duration, _ body: (Frame) throws -> R) throws -> R {
        guard let session, let format = formatNegotiation?.granted else {
            throw CaptureError.notStarted(source: name)
        }
        let deadline = clock.nowNs &+ timeout.nanoseconds
        while true {
            let buffer = try dequeue(session, deadline: deadline, timeout: timeout)
            let mapped = session.buffers[Int(buffer.index)]
            let bytesUsed = buffer.bytesused == 0 ? mapped.length : min(Int(buffer.bytesused), mapped.length)
            let needed = (format.height - 1) * format.bytesPerRow + format.width * (format.pixelFormat.bytesPerPixel ?? 0)
            if buffer.flags & lsv4l2_BUF_FLAG_ERROR != 0 || bytesUsed < needed {
                statistics.corruptFrames += 1
                report(.corruptFrameSkipped(sequence: buffer.sequence))
                try session.queue(buffer.index)
                continue
            }
            let skipped = dropCounter.record(sequence: buffer.sequence)
            if skipped > 0 {
                statistics.framesDropped += UInt64(skipped)
                report(.framesDropped(count: skipped, beforeSequence: buffer.sequence))
            }
            let frame = Frame(pixelFormat: format.pixelFormat, width: format.width, height: format.height,
                              bytesPerRow: format.bytesPerRow, sequence: buffer.sequence,
                              timestampNanoseconds: timestamp(of: buffer), fullRangeYUV: format.fullRangeYUV,
                              bytes: UnsafeRawBufferPointer(start: mapped.address, count: bytesUsed))
            let result: R
            do {
                result = try body(frame)
            } catch {
                try? session.queue(buffer.index)
                throw error
            }
            try session.queue(buffer.index)
            statistics.framesDelivered += 1
            return result
        }
    }

    /// poll for POLLIN until the deadline, then VIDIOC_DQBUF (EAGAIN: poll again).
    private func dequeue(_ session: V4L2Session, deadline: UInt64, timeout: Duration) throws(CaptureError) -> v4l2_buffer {
        let calls = session.calls, clock = self.clock
        while true {
            let events: Int16
            do {
                events = try retryingOnInterrupt { () throws(Errno) in
                    let now = clock.nowNs
                    let remaining = deadline > now ? (deadline - now + 999_999) / 1_000_000 : 0
                    return try calls.device.poll(calls.fd, events: Int16(POLLIN), timeoutMilliseconds: Int32(clamping: remaining))
                }
            } catch {
                throw CaptureError.fromDeviceCall(error, device: calls.path, operation: "poll")
            }
            if events == 0 {
                statistics.timeouts += 1
                throw .noFrame(device: calls.path, timeout: timeout)
            }
            var buffer = v4l2_buffer()
            buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buffer.memory = V4L2_MEMORY_MMAP.rawValue
            do {
                try calls.rawIoctl(.dequeueBuffer, &buffer)
                return buffer
            } catch {
                guard error == .wouldBlock else {
                    throw CaptureError.fromDeviceCall(error, device: calls.path, operation: V4L2Request.dequeueBuffer.name)
                }
                if events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    throw CaptureError.deviceGone(device: calls.path, operation: "poll", errno: .ioError)
                }
            }
        }
    }

    /// The buffer's CLOCK_MONOTONIC capture time, or the clock's now when the driver uses another clock.
    private func timestamp(of buffer: v4l2_buffer) -> UInt64 {
        guard buffer.flags & lsv4l2_BUF_FLAG_TIMESTAMP_MASK == lsv4l2_BUF_FLAG_TIMESTAMP_MONOTONIC else {
            return clock.nowNs
        }
        return UInt64(buffer.timestamp.tv_sec) &* 1_000_000_000 &+ UInt64(buffer.timestamp.tv_usec) &* 1_000
    }

    private func report(_ event: CaptureEvent) {
        onEvent?(event)
    }
}
