import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// What a path names, from `lstat`/`fstat`: lineside opens only regular files (and folders where
/// it means one), and says what it found instead.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, fifo, socket, characterDevice, blockDevice, symbolicLink, unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFLNK: self = .symbolicLink
        default: self = .unknown
        }
    }

    /// The kind of `path` after symbolic links, or nil when nothing is there.
    public static func of(_ path: String) -> FileKind? {
        var info = stat()
        return stat(path, &info) == 0 ? FileKind(mode: info.st_mode) : nil
    }

    /// The kind of `path` itself (a symbolic link is not followed), or nil when nothing is there.
    public static func ofLink(_ path: String) -> FileKind? {
        var info = stat()
        return lstat(path, &info) == 0 ? FileKind(mode: info.st_mode) : nil
    }

    public var description: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .fifo: "a FIFO"
        case .socket: "a socket"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .symbolicLink: "a symbolic link"
        case .unknown: "not a regular file"
        }
    }

    /// The errno that fits "expected a regular file, found this".
    var notRegularErrno: Errno { self == .directory ? .isDirectory : .invalidArgument }
}
