import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Directory listing over opendir/readdir (no Foundation here).
public enum Directory {
    /// Names of the entries in `path` (no "." or ".."), sorted bytewise.
    public static func entries(_ path: String) throws(FileError) -> [String] {
        guard let dir = opendir(path) else { throw FileError(path: path, operation: "open directory", errno: Errno(rawValue: errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
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
