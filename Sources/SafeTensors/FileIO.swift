import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A file operation that failed, with the path and the errno text: one line for the operator.
public struct FileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Errno

    public init(path: String, operation: String, errno: Errno) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(path): \(operation) failed: \(errno)" }
}

/// Whole-file reads and crash-safe writes (swift-system's FileDescriptor retries EINTR for us).
public enum FileIO {
    /// Reads a whole regular file. Refuses files larger than `limit` bytes (default 1 GiB).
    public static func read(_ path: String, limit: Int = 1 << 30) throws(FileError) -> [UInt8] {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec]) } catch {
            throw FileError(path: path, operation: "open", errno: error as? Errno ?? .ioError)
        }
        defer { try? fd.close() }
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0 else { throw FileError(path: path, operation: "stat", errno: Errno(rawValue: Glibc.errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, operation: "read (not a regular file)", errno: .isDirectory) }
        // /proc and /sys files report size 0: read those until end of file.
        let size = info.st_size > 0 ? Int(info.st_size) : 65536
        guard size <= limit else { throw FileError(path: path, operation: "read (\(size) bytes is too large)", errno: .fileTooLarge) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n: Int
            do {
                n = try bytes.withUnsafeMutableBytes { raw in
                    try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]), retryOnInterrupt: true)
                }
            } catch { throw FileError(path: path, operation: "read", errno: error as? Errno ?? .ioError) }
            if n == 0 { break }  // end of file (or the file shrank under us)
            done += n
        }
        return done == size ? bytes : Array(bytes[..<done])
    }

    /// Replaces `path` with `bytes` so that a power cut at any moment leaves either the old file or
    /// the new one, never a mix: write a temporary file beside it, fsync, rename over, fsync the
    /// directory. When `keepPrevious` names a path, the old file is hard-linked there first.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, keepPrevious: String? = nil) throws(FileError) {
        let target = FilePath(path)
        let directory = target.removingLastComponent()
        let directoryPath = directory.isEmpty ? "." : directory.string
        let temporaryPrefix = "." + (target.lastComponent?.string ?? "file") + ".tmp-"
        let temporary = directoryPath + "/" + temporaryPrefix + "\(getpid())"
        // Leftovers of writers killed mid-write (never read by anyone): clear them first.
        for name in (try? Directory.entries(directoryPath)) ?? [] where name.hasPrefix(temporaryPrefix) {
            unlink(directoryPath + "/" + name)
        }

        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(temporary), .writeOnly,
                                         options: [.create, .truncate, .closeOnExec], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch { throw FileError(path: path, operation: "create temporary file", errno: error as? Errno ?? .ioError) }
        do throws(FileError) {
            do {
                _ = try fd.writeAll(bytes)
            } catch { throw FileError(path: temporary, operation: "write", errno: error as? Errno ?? .ioError) }
            guard fsync(fd.rawValue) == 0 else { throw FileError(path: temporary, operation: "fsync", errno: Errno(rawValue: Glibc.errno)) }
            try? fd.close()
        } catch {
            try? fd.close()
            unlink(temporary)
            throw error
        }
        if let keepPrevious {
            unlink(keepPrevious)
            if link(path, keepPrevious) != 0, Glibc.errno != ENOENT {
                let saved = Errno(rawValue: Glibc.errno)
                unlink(temporary)
                throw FileError(path: keepPrevious, operation: "keep previous", errno: saved)
            }
        }
        guard rename(temporary, path) == 0 else {
            let saved = Errno(rawValue: Glibc.errno)
            unlink(temporary)
            throw FileError(path: path, operation: "rename", errno: saved)
        }
        try syncDirectory(directoryPath)
    }

    /// fsyncs a directory so that a rename inside it survives a power cut.
    public static func syncDirectory(_ path: String) throws(FileError) {
        let dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw FileError(path: path, operation: "open directory", errno: Errno(rawValue: Glibc.errno)) }
        defer { close(dirfd) }
        guard fsync(dirfd) == 0 else { throw FileError(path: path, operation: "fsync directory", errno: Errno(rawValue: Glibc.errno)) }
    }
}
