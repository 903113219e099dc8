import Platform
import SystemPackage

/// The V4L2 calls on one open descriptor, with EINTR retried and errno turned into `CaptureError`
/// naming the device and the request.
struct DeviceCalls {
    let device: any V4L2Device
    let path: String
    let fd: Int32

    /// ioctl(fd, request, &argument), retried on EINTR.
    func ioctl<T>(_ request: V4L2Request, _ argument: inout T) throws(CaptureError) {
        do {
            try rawIoctl(request, &argument)
        } catch {
            throw CaptureError.fromDeviceCall(error, device: path, operation: request.name)
        }
    }

    /// The same call with the errno left as it is, for callers that expect some (EINVAL ends
    /// enumerations, EAGAIN means no buffer yet).
    func rawIoctl<T>(_ request: V4L2Request, _ argument: inout T) throws(Errno) {
        let device = self.device, fd = self.fd
        try withUnsafeMutablePointer(to: &argument) { pointer throws(Errno) in
            _ = try retryingOnInterrupt { () throws(Errno) in
                try device.ioctl(fd, request.code, UnsafeMutableRawPointer(pointer))
            }
        }
    }
}
