import Glibc
import Platform
import SystemPackage

/// The system calls a V4L2 camera makes, as one small protocol: the real one goes through libv4l2
/// (CaptureV4L2.LibV4L2Device), the fake plays the kernel (CaptureFakes.FakeV4L2Kernel).
///
/// Each method makes exactly one call and reports failure as the errno it produced; it never
/// retries. EINTR is retried in one place: Platform's `retryingOnInterrupt`.
public protocol V4L2Device: AnyObject {
    /// open(path, flags) -> file descriptor (v4l2_open).
    func open(_ path: String, flags: Int32) throws(Errno) -> Int32
    /// close(fd) (v4l2_close).
    func close(_ fd: Int32) throws(Errno)
    /// ioctl(fd, request, argument) (v4l2_ioctl): `argument` points at the request's struct.
    func ioctl(_ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer) throws(Errno) -> Int32
    /// mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, offset) of a driver buffer (v4l2_mmap).
    func mapBuffer(_ fd: Int32, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer
    /// munmap(address, length) (v4l2_munmap).
    func unmapBuffer(_ address: UnsafeMutableRawPointer, length: Int) throws(Errno)
    /// poll on one descriptor: the returned events, 0 when `timeoutMilliseconds` passed first.
    func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> Int16
}

extension V4L2Device {
    /// Opens a video node for capture (read-write, non-blocking, close-on-exec), retrying EINTR;
    /// failures become the `CaptureError` an operator reads (unplugged, busy, video group...).
    public func openForCapture(_ path: String) throws(CaptureError) -> Int32 {
        do {
            return try retryingOnInterrupt { () throws(Errno) in
                try open(path, flags: O_RDWR | O_NONBLOCK | O_CLOEXEC)
            }
        } catch {
            throw CaptureError.fromOpen(error, device: path)
        }
    }
}
