import Platform

/// Resident memory of this process from /proc/self/status (VmRSS now, VmHWM peak), in MiB.
enum ProcessMemory {
    static func field(_ name: String) -> Double? {
        guard let bytes = try? FileIO.read("/proc/self/status", limit: 1 << 16) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            if let kib = digits.first { return kib / 1024 }
        }
        return nil
    }

    static var residentMiB: Double { field("VmRSS") ?? 0 }
    static var peakMiB: Double { field("VmHWM") ?? 0 }
}
