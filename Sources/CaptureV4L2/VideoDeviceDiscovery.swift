import Glibc

/// Finds the V4L2 video nodes of this machine: /dev/video* in number order, with the
/// /dev/v4l/by-id links (stable across reboots and ports) that point at each.
public enum VideoDeviceDiscovery {
    public struct Node: Sendable, Equatable {
        public var path: String
        public var stableNames: [String]
    }

    public static func nodes(deviceDirectory: String = "/dev", byIDDirectory: String = "/dev/v4l/by-id") -> [Node] {
        let videos = entries(of: deviceDirectory)
            .filter { $0.hasPrefix("video") && Int($0.dropFirst(5)) != nil }
            .sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }
        var links: [String: [String]] = [:]
        for name in entries(of: byIDDirectory) {
            if let target = linkTarget(byIDDirectory + "/" + name) {
                let base = String(target.split(separator: "/").last ?? "")
                links[base, default: []].append(name)
            }
        }
        return videos.map { Node(path: deviceDirectory + "/" + $0, stableNames: (links[$0] ?? []).sorted()) }
    }

    private static func entries(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
