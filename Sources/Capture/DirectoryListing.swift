import Glibc
import SystemPackage

/// The names of the entries in a folder (opendir/readdir), without "." and "..", sorted.
func listDirectory(_ path: String) throws(Errno) -> [String] {
    guard let directory = opendir(path) else {
        throw Errno(rawValue: errno)
    }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}
