import CV4L2Types
import SystemPackage

/// One driver buffer mapped into the process with mmap.
struct MappedBuffer {
    let address: UnsafeMutableRawPointer
    let length: Int
}

/// Owns an open V4L2 descriptor and its fixed pool of mmap'd buffers: releases them in order
/// (VIDIOC_STREAMOFF, munmap each, close) when closed or deinitialised.
final class V4L2Session {
    let calls: DeviceCalls
    private(set) var buffers: [MappedBuffer] = []
    private(set) var isStreaming = false
    private var isClosed = false

    /// Takes ownership of `calls.fd`.
    init(calls: DeviceCalls) {
        self.calls = calls
    }

    deinit { close() }

    /// VIDIOC_REQBUFS for `count` mmap buffers, then VIDIOC_QUERYBUF and mmap for each granted one.
    func allocateBuffers(count: Int) throws(CaptureError) {
        precondition(buffers.isEmpty, "buffers are allocated once per session")
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try calls.ioctl(.requestBuffers, &request)
        guard request.count >= 2 else {
            throw .tooFewBuffers(device: calls.path, requested: count, granted: Int(request.count))
        }
        for index in 0..<request.count {
            var buffer = v4l2_buffer()
            buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buffer.memory = V4L2_MEMORY_MMAP.rawValue
            buffer.index = index
            try calls.ioctl(.queryBuffer, &buffer)
            let length = Int(buffer.length), offset = Int(buffer.m.offset)
            do {
                let address = try calls.device.mapBuffer(calls.fd, length: length, offset: offset)
                buffers.append(MappedBuffer(address: address, length: length))
            } catch {
                throw CaptureError.fromDeviceCall(error, device: calls.path, operation: "mmap of buffer \(index)")
            }
        }
    }

    /// VIDIOC_QBUF: hands buffer `index` back to the driver to fill.
    func queue(_ index: UInt32) throws(CaptureError) {
        var buffer = v4l2_buffer()
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        buffer.index = index
        try calls.ioctl(.queueBuffer, &buffer)
    }

    /// VIDIOC_STREAMON
    func streamOn() throws(CaptureError) {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try calls.ioctl(.streamOn, &type)
        isStreaming = true
    }

    /// VIDIOC_STREAMOFF (if streaming), munmap of every buffer, close. Failures are ignored: the
    /// device may be gone, and close releases the descriptor whatever it returns (it is not
    /// retried on EINTR, as on Linux the descriptor is already released then).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if isStreaming {
            var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            try? calls.rawIoctl(.streamOff, &type)
            isStreaming = false
        }
        for buffer in buffers {
            try? calls.device.unmapBuffer(buffer.address, length: buffer.length)
        }
        buffers.removeAll()
        try? calls.device.close(calls.fd)
    }
}
