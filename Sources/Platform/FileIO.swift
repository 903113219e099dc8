import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and crash-safe writes.
///
/// Reads never block on something that is not a file: the path is opened with O_NONBLOCK (a FIFO
/// or a device opens at once instead of waiting for a writer), checked with fstat to be a regular
/// file, and read up to a limit. Writes go through a temporary file, fsync, rename and a directory
/// fsync, so a power cut leaves the old file or the new one, never a mix, and never neither.
public enum FileIO {
    /// Reads a whole regular file. Refuses anything else (naming what it is) and files larger
    /// than `limit` bytes (default 1 GiB).
    public static func read(_ path: String, limit: Int = 1 << 30) throws(FileError) -> [UInt8] {
        let fd: Int32
        do { fd = try valueOrErrno { open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) } } catch {
            throw FileError(path: path, operation: "open", errno: error)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, operation: "stat", errno: Errno(rawValue: errno)) }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else {
            throw FileError(path: path, operation: "read (\(kind), not a regular file)", errno: kind.notRegularErrno)
        }
        // /proc and /sys files report size 0: read those until end of file, up to the limit.
        let reportedSize = Int(info.st_size)
        guard reportedSize <= limit else {
            throw FileError(path: path, operation: "read (\(reportedSize) bytes is more than the \(limit) allowed)", errno: .fileTooLarge)
        }
        let capacity = reportedSize > 0 ? reportedSize : min(limit, 65536)
        var bytes = [UInt8](repeating: 0, count: capacity)
        var done = 0
        while done < capacity {
            let read = bytes.withUnsafeMutableBytes { raw in
                let rest = UnsafeMutableRawBufferPointer(rebasing: raw[done...])
                return Result { () throws(Errno) in try valueOrErrno { Glibc.read(fd, rest.baseAddress, rest.count) } }
            }
            let n: Int
            do { n = try read.get() } catch { throw FileError(path: path, operation: "read", errno: error) }
            if n == 0 { break }  // end of file (or the file shrank under us)
            done += n
        }
        return done == capacity ? bytes : Array(bytes[..<done])
    }

    /// The injected-failure points of `writeAtomically`, in order (for the save tests).
    public enum SaveStep: String, Sendable, CaseIterable {
        case createTemporary, write, fsync, keepPrevious, rename, syncDirectory
    }

    /// Replaces `path` with `bytes` so that a power cut or a failure at any moment leaves the old
    /// file or the new one at `path`, never a mix and never neither:
    /// 1. the bytes go into `.NAME.tmp-PID` beside it and are fsynced;
    /// 2. with `keepPrevious`, the current file is hard-linked to a temporary name and renamed over
    ///    `keepPrevious` (so the previous copy is replaced atomically too, and only now that the new
    ///    file is durable);
    /// 3. the temporary file is renamed over `path`; the directory is fsynced.
    /// Nothing on any failure path removes anything but this writer's own temporary files. A path
    /// (or previous path) that exists and is not a regular file is refused before anything is written.
    /// Stale temporaries of writers killed mid-write are cleared first.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, keepPrevious: String? = nil,
                                       failing injected: SaveStep? = nil) throws(FileError) {
        let (directoryPath, name) = split(path)
        try checkWritable(path)
        if let keepPrevious { try checkWritable(keepPrevious) }
        removeStaleTemporaries(in: directoryPath, prefix: "." + name + ".tmp-")
        if let keepPrevious {
            let (previousDirectory, previousName) = split(keepPrevious)
            removeStaleTemporaries(in: previousDirectory, prefix: "." + previousName + ".tmp-")
        }
        func fail(_ step: SaveStep) -> Errno? { injected == step ? .ioError : nil }

        let temporary = directoryPath + "/." + name + ".tmp-\(getpid())"
        let fd: Int32
        do throws(Errno) {
            if let forced = fail(.createTemporary) { throw forced }
            fd = try valueOrErrno { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        } catch { throw FileError(path: temporary, operation: "create temporary file", errno: error) }
        do throws(FileError) {
            do throws(Errno) {
                if let forced = fail(.write) { throw forced }
                try writeAll(fd, bytes)
            } catch { throw FileError(path: temporary, operation: "write", errno: error) }
            if let forced = fail(.fsync) { throw FileError(path: temporary, operation: "fsync", errno: forced) }
            guard fsync(fd) == 0 else { throw FileError(path: temporary, operation: "fsync", errno: Errno(rawValue: errno)) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)

        if let keepPrevious {
            let (previousDirectory, previousName) = split(keepPrevious)
            let previousTemporary = previousDirectory + "/." + previousName + ".tmp-\(getpid())"
            unlink(previousTemporary)
            if let forced = fail(.keepPrevious) {
                unlink(temporary)
                throw FileError(path: keepPrevious, operation: "keep previous", errno: forced)
            }
            if link(path, previousTemporary) == 0 {
                if rename(previousTemporary, keepPrevious) != 0 {
                    let saved = Errno(rawValue: errno)
                    unlink(previousTemporary)
                    unlink(temporary)
                    throw FileError(path: keepPrevious, operation: "keep previous", errno: saved)
                }
            } else if errno != ENOENT {  // no current file yet: nothing to keep
                let saved = Errno(rawValue: errno)
                unlink(temporary)
                throw FileError(path: keepPrevious, operation: "keep previous (link \(path))", errno: saved)
            }
        }
        if let forced = fail(.rename) {
            unlink(temporary)
            throw FileError(path: path, operation: "rename", errno: forced)
        }
        guard rename(temporary, path) == 0 else {
            let saved = Errno(rawValue: errno)
            unlink(temporary)
            throw FileError(path: path, operation: "rename", errno: saved)
        }
        if let forced = fail(.syncDirectory) { throw FileError(path: directoryPath, operation: "fsync directory", errno: forced) }
        try syncDirectory(directoryPath)
        if let keepPrevious, split(keepPrevious).0 != directoryPath { try syncDirectory(split(keepPrevious).0) }
    }

    /// Checks, before any work is done, that `writeAtomically(_, to: path)` can succeed as far as
    /// can be known: the folder exists and is writable, and `path` is absent or a regular file.
    public static func checkWritable(_ path: String) throws(FileError) {
        let directory = split(path).directory
        guard FileKind.of(directory) == .directory else {
            throw FileError(path: directory, operation: "write into (no such directory)", errno: .noSuchFileOrDirectory)
        }
        guard access(directory, W_OK) == 0 else {
            throw FileError(path: directory, operation: "write into", errno: Errno(rawValue: errno))
        }
        if let kind = FileKind.ofLink(path), kind != .regular {
            throw FileError(path: path, operation: "replace (\(kind), not a regular file)", errno: kind.notRegularErrno)
        }
    }

    /// fsyncs a directory so that a rename inside it survives a power cut.
    public static func syncDirectory(_ path: String) throws(FileError) {
        let dirfd: Int32
        do { dirfd = try valueOrErrno { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } } catch {
            throw FileError(path: path, operation: "open directory", errno: error)
        }
        defer { close(dirfd) }
        guard fsync(dirfd) == 0 else { throw FileError(path: path, operation: "fsync directory", errno: Errno(rawValue: errno)) }
    }

    /// Folder and last component of a path ("." for a bare name).
    static func split(_ path: String) -> (directory: String, name: String) {
        let target = FilePath(path)
        let directory = target.removingLastComponent()
        return (directory.isEmpty ? "." : directory.string, target.lastComponent?.string ?? "file")
    }

    /// Leftovers of writers killed mid-write (never read by anyone).
    static func removeStaleTemporaries(in directory: String, prefix: String) {
        var stale: [String] = []
        try? Directory.forEachEntry(directory) { name in if name.hasPrefix(prefix) { stale.append(name) } }
        for name in stale where FileKind.ofLink(directory + "/" + name) == .regular { unlink(directory + "/" + name) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        let written = bytes.withUnsafeBytes { raw in
            Result { () throws(Errno) in
                var done = 0
                while done < raw.count {
                    let rest = UnsafeRawBufferPointer(rebasing: raw[done...])
                    done += try valueOrErrno { write(fd, rest.baseAddress, rest.count) }
                }
            }
        }
        try written.get()
    }
}
