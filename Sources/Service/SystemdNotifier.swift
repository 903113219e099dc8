#if canImport(Glibc)
import Glibc
#endif

/// sd_notify without libsystemd: datagrams to the socket systemd names in $NOTIFY_SOCKET
/// ("READY=1", "WATCHDOG=1", "STATUS=...", "STOPPING=1"). Silent when not run by systemd.
public final class SystemdNotifier: Sendable {
    private let socketPath: String?

    public init() {
        if let raw = getenv("NOTIFY_SOCKET") { socketPath = String(cString: raw) } else { socketPath = nil }
    }

    public var isActive: Bool { socketPath != nil }

    /// Watchdog interval systemd asked for ($WATCHDOG_USEC), if any.
    public var watchdogIntervalNs: UInt64? {
        guard let raw = getenv("WATCHDOG_USEC"), let usec = UInt64(String(cString: raw)) else { return nil }
        return usec * 1000
    }

    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard let socketPath, !socketPath.isEmpty else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), $0, length) }
            }
        }
        return sent >= 0
    }
}
