import CV4L2
import Capture
import Glibc
import Platform
import SystemPackage

/// The real `V4L2Device`: libv4l2's v4l2_open, v4l2_ioctl, v4l2_mmap, v4l2_munmap, v4l2_close
/// (through the CV4L2 shim), and poll(2) on the descriptor. One call per method, errno captured at
/// once; EINTR is left to `retryingOnInterrupt`.
///
/// libv4l2 converts formats the driver lacks (YUYV, MJPEG to RGB24) inside v4l2_ioctl(DQBUF) into
/// its own buffers, which v4l2_mmap maps; that is why every call goes through libv4l2 and not libc.
public final class LibV4L2Device: V4L2Device {
    public init() {}

    public func open(_ path: String, flags: Int32) throws(Errno) -> Int32 {
        let fd = lsv4l2_open(path, flags)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return fd
    }

    public func close(_ fd: Int32) throws(Errno) {
        guard lsv4l2_close(fd) == 0 else { throw Errno(rawValue: errno) }
    }

    public func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) throws(Errno) -> Int32 {
        let result = lsv4l2_ioctl(fd, request, argument)
        guard result != -1 else { throw Errno(rawValue: errno) }
        return result
    }

    public func mapBuffer(_ fd: Int32, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer {
        let address = lsv4l2_mmap_buffer(fd, length, Int64(offset))
        guard let address, lsv4l2_is_map_failed(address) == 0 else { throw Errno(rawValue: errno) }
        return address
    }

    public func unmapBuffer(_ address: UnsafeMutableRawPointer, length: Int) throws(Errno) {
        guard lsv4l2_munmap(address, length) == 0 else { throw Errno(rawValue: errno) }
    }

    public func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> Int16 {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let result = Glibc.poll(&descriptor, 1, timeoutMilliseconds)
        guard result >= 0 else { throw Errno(rawValue: errno) }
        return result == 0 ? 0 : descriptor.revents
    }
}
