import CMemory
import Glibc

/// This process's memory: resident size from /proc/self/status, and the allocator settings that
/// let a finished fit give its hundred-odd MB back to the system.
public enum ProcessMemory {
    /// Resident memory now (VmRSS), in MiB.
    public static var residentMiB: Double { field("VmRSS") ?? 0 }
    /// Peak resident memory (VmHWM), in MiB.
    public static var peakMiB: Double { field("VmHWM") ?? 0 }

    /// Allocations of 1 MiB and more (images, the model, the fit's sums) get their own mapping, so
    /// freeing them returns the memory at once. Call once at start.
    public static func returnLargeAllocationsWhenFreed() {
        _ = ls_memory_map_allocations_from(1 << 20)
    }

    /// Hands free heap memory back to the system (after a fit).
    public static func trim() {
        _ = ls_memory_trim()
    }

    /// Allocations (malloc, calloc, realloc, memalign: every thread) made while `body` runs, counted
    /// through glibc's malloc trace: nil unless the process was started with
    /// `LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_TRACE=FILE` (the trace goes to FILE and is read back).
    public static func allocations(during body: () throws -> Void) rethrows -> Int? {
        guard let path = getenv("MALLOC_TRACE").map({ String(cString: $0) }), !path.isEmpty,
              let preload = getenv("LD_PRELOAD").map({ String(cString: $0) }), preload.contains("libc_malloc_debug") else {
            try body()
            return nil
        }
        do {
            ls_memory_trace_begin()
            defer { ls_memory_trace_end() }
            try body()
        }
        guard let bytes = try? FileIO.read(path, limit: 1 << 26) else { return nil }
        // Records are "[@ caller ]+ address size" (malloc), "> address size" (realloc's new block),
        // "- address" (free): count the first two.
        var count = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("+ ") || line.contains(" + ") || line.hasPrefix("> ") || line.contains(" > ") {
            count += 1
        }
        return count
    }

    static func field(_ name: String) -> Double? {
        guard let bytes = try? FileIO.read("/proc/self/status", limit: 1 << 16) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            if let kib = digits.first { return kib / 1024 }
        }
        return nil
    }
}
