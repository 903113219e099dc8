import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Directory listing over opendir/readdir (no Foundation here).
public enum Directory {
    /// Names of the entries in `path` (no "." or ".."), sorted bytewise.
    public static func entries(_ path: String) throws(FileError) -> [String] {
        var names: [String] = []
        try forEachEntry(path) { names.append($0) }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Calls `body` with each entry's name (not "." and ".."), in the directory's own order:
    /// `readdir` without collecting or sorting, for a scan of a large folder.
    public static func forEachEntry(_ path: String, _ body: (String) -> Void) throws(FileError) {
        guard let dir = opendir(path) else { throw FileError(path: path, operation: "open directory", errno: Errno(rawValue: errno)) }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { body(name) }
        }
    }

    /// Creates `path` and its missing parents (mkdir -p), mode 0755.
    public static func create(_ path: String) throws(FileError) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0, errno != EEXIST {
                throw FileError(path: partial, operation: "create directory", errno: Errno(rawValue: errno))
            }
        }
        guard isDirectory(path) else { throw FileError(path: path, operation: "create directory", errno: .notDirectory) }
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
