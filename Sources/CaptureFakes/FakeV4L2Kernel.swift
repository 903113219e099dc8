import CV4L2Types
import Capture
import Glibc
import PlatformFakes
import SystemPackage

/// Plays the kernel side of a V4L2 camera for tests, demos and benchmarks.
///
/// It answers every call the way a driver would from its `FakeCameraModel` (adjusting formats and
/// frame rates to what it offers, granting buffers, delivering frames with sequence numbers and
/// CLOCK_MONOTONIC timestamps from a `VirtualClock`), records each call with its request code, and
/// injects faults: an errno forced N times per operation, an unplug (ENODEV until replugged), stalled
/// polls, skipped sequence numbers, corrupt buffers, a busy device, a node without permission.
public final class FakeV4L2Kernel: V4L2Device {
    /// An operation faults can be forced on.
    public enum Operation: Hashable, Sendable {
        case open, close, ioctl(UInt), mmap, munmap, poll
        public static func ioctl(_ request: V4L2Request) -> Operation { .ioctl(request.code) }
    }

    /// One call as the kernel saw it.
    public enum Call: Equatable, Sendable, CustomStringConvertible {
        case open(path: String)
        case close(fd: Int32)
        case ioctl(fd: Int32, request: UInt)
        case mmap(length: Int, offset: Int)
        case munmap(length: Int)
        case poll(timeoutMilliseconds: Int32)

        public var description: String {
            switch self {
            case let .open(path): "open \(path)"
            case let .close(fd): "close \(fd)"
            case let .ioctl(_, request): V4L2Request.name(of: request)
            case let .mmap(length, offset): "mmap \(length)@\(offset)"
            case let .munmap(length): "munmap \(length)"
            case let .poll(timeout): "poll \(timeout)ms"
            }
        }
    }

    struct Buffer {
        let memory: UnsafeMutableRawPointer
        let length: Int
        let offset: Int
        var isQueued = false
        var isMapped = false
    }

    public let model: FakeCameraModel
    public let clock: VirtualClock
    /// Every call made, in order (while `isRecording`).
    public private(set) var calls: [Call] = []
    /// Turn off to keep long benchmarks from growing the call log.
    public var isRecording = true

    // Faults.
    /// open answers EACCES, as for a node owned by root:video when the user is not in 'video'.
    public var deniesPermission = false
    /// VIDIOC_S_FMT and VIDIOC_REQBUFS answer EBUSY, as when another process streams.
    public var isHeldByAnotherProcess = false
    public private(set) var isPlugged = true
    /// Called with each frame's sequence and buffer before it is dequeued, to paint test content.
    public var paintFrame: ((UInt32, UnsafeMutableRawBufferPointer) -> Void)?
    private var forcedErrors: [Operation: [Errno]] = [:]
    private var unplugErrno = Errno.operationNotSupportedByDevice
    private var stalledPolls = 0
    private var pendingSkip: UInt32 = 0
    private var corruptFrames = 0

    // Device state.
    public private(set) var openDescriptors: Set<Int32> = []
    public private(set) var isStreaming = false
    public internal(set) var pixFormat = v4l2_pix_format()
    public internal(set) var timePerFrame: FrameRate
    public internal(set) var controlValues: [UInt32: Int32] = [:]
    var buffers: [Buffer] = []
    private var readyOrder: [Int] = []
    private var nextSequence: UInt32 = 0
    private var nextFrameDue: UInt64 = 0
    private var nextDescriptor: Int32 = 3
    private var generation = 0
    private var descriptorGeneration: [Int32: Int] = [:]
    private var allocations: [UnsafeMutableRawPointer] = []

    public init(model: FakeCameraModel, clock: VirtualClock = VirtualClock()) {
        precondition(!model.formats.isEmpty, "a fake camera offers at least one format")
        self.model = model
        self.clock = clock
        timePerFrame = FrameRate(framesPerSecond: model.formats[0].framesPerSecond.first ?? 30)
        resetDevice()
    }

    deinit {
        for memory in allocations { memory.deallocate() }
    }

    // MARK: Fault injection

    /// The next `times` calls of `operation` fail with `errno` (before doing anything).
    public func fail(_ operation: Operation, with errno: Errno, times: Int = 1) {
        forcedErrors[operation, default: []] += Array(repeating: errno, count: times)
    }

    /// The camera goes away: calls on open descriptors answer `errno`, poll reports POLLERR|POLLHUP,
    /// open answers ENOENT, until `replug()`.
    public func unplug(errno: Errno = .operationNotSupportedByDevice) {
        isPlugged = false
        unplugErrno = errno
        isStreaming = false
    }

    /// The camera comes back as a new device with default settings; descriptors opened before the
    /// unplug stay dead.
    public func replug() {
        isPlugged = true
        generation += 1
        resetDevice()
    }

    /// The next `count` polls time out (the clock advances by their timeout).
    public func stallPolls(_ count: Int) { stalledPolls += count }

    /// The next frame's sequence number jumps by `count`, as when the driver drops frames.
    public func skipSequences(_ count: UInt32) { pendingSkip &+= count }

    /// The next `count` frames are flagged V4L2_BUF_FLAG_ERROR.
    public func corruptNextFrames(_ count: Int = 1) { corruptFrames += count }

    // MARK: Inspection

    /// How many times `request` was called.
    public func count(of request: V4L2Request) -> Int {
        calls.filter { if case let .ioctl(_, code) = $0 { code == request.code } else { false } }.count
    }

    /// The names of the calls made, in order ("open /dev/video0", "VIDIOC_QUERYCAP", ...).
    public var callNames: [String] { calls.map(\.description) }

    public func forgetCalls() { calls.removeAll() }

    public var mappedBufferCount: Int { buffers.filter(\.isMapped).count }
    public var queuedBufferCount: Int { buffers.filter(\.isQueued).count }

    /// True when nothing of a session is left: no descriptor open, nothing mapped, not streaming.
    public var isIdle: Bool { openDescriptors.isEmpty && mappedBufferCount == 0 && !isStreaming }

    // MARK: V4L2Device

    public func open(_ path: String, flags: Int32) throws(Errno) -> Int32 {
        record(.open(path: path))
        try forced(.open)
        guard isPlugged, path == model.path else { throw .noSuchFileOrDirectory }
        if deniesPermission { throw .permissionDenied }
        let fd = nextDescriptor
        nextDescriptor += 1
        openDescriptors.insert(fd)
        descriptorGeneration[fd] = generation
        return fd
    }

    public func close(_ fd: Int32) throws(Errno) {
        record(.close(fd: fd))
        guard openDescriptors.remove(fd) != nil else { throw .badFileDescriptor }
        let wasCurrent = descriptorGeneration.removeValue(forKey: fd) == generation
        if wasCurrent && openDescriptors.isEmpty {
            isStreaming = false
            readyOrder.removeAll()
            for index in buffers.indices { buffers[index].isQueued = false }
            if mappedBufferCount == 0 { buffers.removeAll() }
        }
        try forced(.close)
    }

    public func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) throws(Errno) -> Int32 {
        record(.ioctl(fd: fd, request: request))
        try forced(.ioctl(request))
        guard openDescriptors.contains(fd) else { throw .badFileDescriptor }
        guard isPlugged, descriptorGeneration[fd] == generation else { throw unplugErrno }
        try answer(request, argument)
        return 0
    }

    public func mapBuffer(_ fd: Int32, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer {
        record(.mmap(length: length, offset: offset))
        try forced(.mmap)
        guard openDescriptors.contains(fd) else { throw .badFileDescriptor }
        guard isPlugged, descriptorGeneration[fd] == generation else { throw unplugErrno }
        guard let index = buffers.firstIndex(where: { $0.offset == offset }), length <= buffers[index].length else {
            throw .invalidArgument
        }
        buffers[index].isMapped = true
        return buffers[index].memory
    }

    public func unmapBuffer(_ address: UnsafeMutableRawPointer, length: Int) throws(Errno) {
        record(.munmap(length: length))
        try forced(.munmap)
        guard let index = buffers.firstIndex(where: { $0.memory == address && $0.isMapped }) else {
            throw .invalidArgument
        }
        buffers[index].isMapped = false
        if openDescriptors.isEmpty && mappedBufferCount == 0 { buffers.removeAll() }
    }

    public func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> Int16 {
        record(.poll(timeoutMilliseconds: timeoutMilliseconds))
        try forced(.poll)
        let timeout = Duration.milliseconds(max(timeoutMilliseconds, 0))
        guard openDescriptors.contains(fd) else { return Int16(POLLNVAL) }
        guard isPlugged, descriptorGeneration[fd] == generation else { return Int16(POLLERR | POLLHUP) }
        if stalledPolls > 0 {
            stalledPolls -= 1
            clock.advance(by: timeout)
            return 0
        }
        guard isStreaming, !readyOrder.isEmpty else {
            clock.advance(by: timeout)
            return isStreaming ? 0 : Int16(POLLERR)
        }
        let deadline = clock.nowNs &+ UInt64(max(timeoutMilliseconds, 0)) * 1_000_000
        guard nextFrameDue <= deadline else {
            clock.advance(toNs: deadline)
            return 0
        }
        clock.advance(toNs: nextFrameDue)
        return Int16(POLLIN | POLLRDNORM)
    }

    // MARK: Internals

    private func record(_ call: Call) {
        if isRecording { calls.append(call) }
    }

    private func forced(_ operation: Operation) throws(Errno) {
        guard var queue = forcedErrors[operation], !queue.isEmpty else { return }
        let errno = queue.removeFirst()
        forcedErrors[operation] = queue
        throw errno
    }

    private func resetDevice() {
        isStreaming = false
        buffers.removeAll()
        readyOrder.removeAll()
        controlValues = Dictionary(uniqueKeysWithValues: model.controls.map { ($0.id, $0.defaultValue) })
        let format = model.formats[0]
        var pix = v4l2_pix_format()
        pix.pixelformat = format.pixelFormat.rawValue
        pix.width = UInt32(format.sizes[0].width)
        pix.height = UInt32(format.sizes[0].height)
        adjust(&pix)
        pixFormat = pix
        timePerFrame = FrameRate(framesPerSecond: format.framesPerSecond.first ?? 30)
    }

    /// Like a driver's try_fmt: an unknown pixel format becomes the first offered, the size the
    /// nearest offered, strides and sizes are filled in.
    func adjust(_ pix: inout v4l2_pix_format) {
        let format = model.formats.first { $0.pixelFormat.rawValue == pix.pixelformat } ?? model.formats[0]
        let wanted = (Int(pix.width), Int(pix.height))
        let size = format.sizes.min { a, b in
            abs(a.width - wanted.0) + abs(a.height - wanted.1) < abs(b.width - wanted.0) + abs(b.height - wanted.1)
        }!
        pix.pixelformat = format.pixelFormat.rawValue
        pix.width = UInt32(size.width)
        pix.height = UInt32(size.height)
        pix.field = V4L2_FIELD_NONE.rawValue
        if let bytesPerPixel = format.pixelFormat.bytesPerPixel {
            pix.bytesperline = UInt32(size.width * bytesPerPixel + model.rowPadding)
            pix.sizeimage = pix.bytesperline * pix.height
        } else {
            pix.bytesperline = 0
            pix.sizeimage = UInt32(size.width * size.height)
        }
        pix.colorspace = V4L2_COLORSPACE_SRGB.rawValue
        pix.quantization = V4L2_QUANTIZATION_DEFAULT.rawValue
    }

    var currentFormat: FakeCameraModel.Format {
        model.formats.first { $0.pixelFormat.rawValue == pixFormat.pixelformat } ?? model.formats[0]
    }

    func allocateBuffers(count: Int) {
        let length = (Int(pixFormat.sizeimage) + 4095) / 4096 * 4096
        buffers = (0..<count).map { index in
            let memory = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 4096)
            allocations.append(memory)
            // A diagonal gradient, so conversions have something to chew on.
            let bytes = memory.assumingMemoryBound(to: UInt8.self)
            for offset in 0..<length { bytes[offset] = UInt8(truncatingIfNeeded: offset &* 7 &+ offset / 1280) }
            return Buffer(memory: memory, length: length, offset: index * length)
        }
    }

    func startStreaming() {
        isStreaming = true
        nextSequence = 0
        nextFrameDue = clock.nowNs &+ frameIntervalNanoseconds
    }

    func stopStreaming() {
        isStreaming = false
        readyOrder.removeAll()
        for index in buffers.indices { buffers[index].isQueued = false }
    }

    var frameIntervalNanoseconds: UInt64 {
        UInt64(timePerFrame.numerator) * 1_000_000_000 / UInt64(max(timePerFrame.denominator, 1))
    }

    func queueBuffer(_ index: Int) throws(Errno) {
        guard buffers.indices.contains(index), !buffers[index].isQueued else { throw .invalidArgument }
        buffers[index].isQueued = true
        readyOrder.append(index)
    }

    /// Fills a dequeued buffer's description; the oldest queued buffer holds the next frame.
    func dequeueBuffer(_ buffer: inout v4l2_buffer) throws(Errno) {
        guard isStreaming else { throw .invalidArgument }
        guard !readyOrder.isEmpty, clock.nowNs >= nextFrameDue else { throw .wouldBlock }
        let index = readyOrder.removeFirst()
        buffers[index].isQueued = false
        let sequence = nextSequence &+ pendingSkip
        pendingSkip = 0
        nextSequence = sequence &+ 1
        nextFrameDue = clock.nowNs &+ frameIntervalNanoseconds
        let memory = UnsafeMutableRawBufferPointer(start: buffers[index].memory, count: Int(pixFormat.sizeimage))
        paintFrame?(sequence, memory)
        buffer.index = UInt32(index)
        buffer.bytesused = pixFormat.sizeimage
        buffer.length = UInt32(buffers[index].length)
        buffer.m.offset = UInt32(buffers[index].offset)
        buffer.sequence = sequence
        buffer.field = V4L2_FIELD_NONE.rawValue
        buffer.flags = lsv4l2_BUF_FLAG_TIMESTAMP_MONOTONIC
        if corruptFrames > 0 {
            corruptFrames -= 1
            buffer.flags |= lsv4l2_BUF_FLAG_ERROR
        }
        buffer.timestamp.tv_sec = Int(clock.nowNs / 1_000_000_000)
        buffer.timestamp.tv_usec = Int(clock.nowNs % 1_000_000_000 / 1_000)
    }
}
