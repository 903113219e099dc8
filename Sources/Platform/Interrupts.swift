import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` again for as long as it fails with EINTR: the one place in lineside where
/// interrupted calls are retried (after swift-system's `valueOrErrno(retryOnInterrupt:)`).
@inline(__always)
public func retryingOnInterrupt<T>(_ body: () throws(Errno) -> T) throws(Errno) -> T {
    while true {
        do {
            return try body()
        } catch {
            if error == .interrupted { continue }
            throw error
        }
    }
}

/// A C call that returns -1 and sets errno on failure, retried on EINTR: its result, or the errno
/// it left, captured at once (before anything else can overwrite it).
@inline(__always)
public func valueOrErrno<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    try retryingOnInterrupt { () throws(Errno) in
        let value = call()
        if value == -1 { throw Errno(rawValue: errno) }
        return value
    }
}

/// A C call that returns 0 or an error number itself (the pthread and clock_nanosleep
/// convention), retried on EINTR.
@inline(__always)
public func zeroOrErrorNumber(_ call: () -> Int32) throws(Errno) {
    try retryingOnInterrupt { () throws(Errno) in
        let status = call()
        if status != 0 { throw Errno(rawValue: status) }
    }
}
