import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

extension Directory {
    /// Creates a new private folder `BASE/PREFIX-XXXXXX` (mkdtemp, mode 0700) and returns its path.
    /// BASE is $TMPDIR, else /tmp; an unwritable one is a `FileError` naming it, never a crash.
    public static func makeTemporary(prefix: String) throws(FileError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let pattern = base + "/" + prefix + "-XXXXXX"
        var template = Array(pattern.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        guard let made else {
            throw FileError(path: pattern, operation: "create temporary folder", errno: Errno(rawValue: errno))
        }
        return made
    }

    /// Removes a folder and everything in it (no symbolic link is followed out of it).
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? entries(path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
