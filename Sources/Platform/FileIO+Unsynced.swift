import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

extension FileIO {
    /// Replaces `path` with `bytes` through a temporary file and a rename, without fsync: a kill -9
    /// of the writer leaves the old file or the new one, never a part (the page cache belongs to
    /// the kernel); a power cut can lose the last few seconds of such writes. For high-rate small
    /// files whose loss in a power cut is acceptable (the plant link's queue); models and status
    /// use `writeAtomically`.
    public static func writeReplacingUnsynced(_ bytes: [UInt8], to path: String, temporary: String) throws(FileError) {
        let fd: Int32
        do { fd = try valueOrErrno { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600) } } catch {
            throw FileError(path: temporary, operation: "create", errno: error)
        }
        do { try writeAll(fd, bytes) } catch {
            close(fd)
            unlink(temporary)
            throw FileError(path: temporary, operation: "write", errno: error)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let saved = Errno(rawValue: errno)
            unlink(temporary)
            throw FileError(path: path, operation: "rename", errno: saved)
        }
    }
}
