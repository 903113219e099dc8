import Platform
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The plant link's bounded queue on disk: one file per message, `<seq, 20 digits>.msg`, holding
/// the topic, a newline and the payload. Every message goes through it; a file is removed when
/// the broker acknowledged its message, so what the broker never confirmed survives a restart of
/// lineside and a kill -9, and is sent again, in order, on the next connection.
///
/// Writes: temporary file + rename, no fsync (`FileIO.writeReplacingUnsynced`): a kill -9 loses
/// nothing; a power cut can lose the last few seconds of messages (ext4 commits every 5 s), which
/// keeps an SD card from wearing out at one fsync per part. Bounded by count and bytes: beyond
/// either bound the oldest messages are removed and counted (`dropped`).
final class DiskQueue {
    struct Entry {
        let seq: UInt64
        let size: Int
        /// Kept in memory for messages written by this process (up to `cacheLimit` bytes in all).
        var bytes: [UInt8]?
    }

    let folder: String
    let maxMessages: Int
    let maxBytes: Int
    static let maximumMessageBytes = 256 * 1024
    static let cacheLimit = 8 << 20
    private(set) var entries: [Entry] = []
    private var head = 0
    private(set) var totalBytes = 0
    private var cachedBytes = 0
    private(set) var dropped: UInt64 = 0
    /// Files found unreadable at start (removed).
    private(set) var corrupt = 0
    private(set) var nextSeq: UInt64

    init(folder: String, maxMessages: Int, maxBytes: Int) throws(FileError) {
        self.folder = folder
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        try Directory.create(folder)
        var highest: UInt64? = nil
        for name in try Directory.entries(folder) {
            let path = folder + "/" + name
            if name.hasPrefix(".tmp-") { unlink(path); continue }
            guard name.hasSuffix(".msg"), name.utf8.count == 24, let seq = UInt64(name.prefix(20)) else { continue }
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= Self.maximumMessageBytes + 512 else {
                unlink(path); corrupt += 1; continue
            }
            entries.append(Entry(seq: seq, size: Int(info.st_size), bytes: nil))
            totalBytes += Int(info.st_size)
            highest = seq
        }
        // Sequence numbers never go back: after the highest queued one, or from the wall clock in
        // microseconds when the queue is empty (a restart after everything was sent).
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wallMicros = UInt64(max(0, now.tv_sec)) * 1_000_000 + UInt64(now.tv_nsec / 1000)
        nextSeq = highest.map { $0 + 1 } ?? wallMicros
    }

    var count: Int { entries.count - head }
    var isEmpty: Bool { count == 0 }

    func path(_ seq: UInt64) -> String {
        let digits = String(seq)
        return folder + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".msg"
    }

    /// How many of the oldest messages the last `append` removed beyond the bounds.
    private(set) var droppedByLastAppend = 0

    /// Appends a message; removes the oldest beyond the bounds. Returns its sequence number.
    func append(topic: String, payload: (UInt64) -> [UInt8]) throws(FileError) -> UInt64 {
        droppedByLastAppend = 0
        let seq = nextSeq
        nextSeq += 1
        var bytes = Array(topic.utf8)
        bytes.append(0x0A)
        bytes += payload(seq)
        try FileIO.writeReplacingUnsynced(bytes, to: path(seq), temporary: folder + "/.tmp-\(seq)")
        let keep = cachedBytes + bytes.count <= Self.cacheLimit
        if keep { cachedBytes += bytes.count }
        entries.append(Entry(seq: seq, size: bytes.count, bytes: keep ? bytes : nil))
        totalBytes += bytes.count
        while count > maxMessages || (totalBytes > maxBytes && count > 1) {
            removeFirst()
            dropped += 1
            droppedByLastAppend += 1
        }
        return seq
    }

    /// The `index`-th waiting message (0 = oldest): topic and payload, or nil when its file is unreadable.
    func message(at index: Int) -> (seq: UInt64, topic: String, payload: [UInt8])? {
        guard index < count else { return nil }
        let entry = entries[head + index]
        let bytes: [UInt8]
        if let cached = entry.bytes { bytes = cached } else {
            guard let read = try? FileIO.read(path(entry.seq), limit: Self.maximumMessageBytes + 512) else { return (entry.seq, "", []) }
            bytes = read
        }
        guard let newline = bytes.firstIndex(of: 0x0A), newline > 0, newline <= 512,
              let topic = String(validating: bytes[..<newline], as: UTF8.self), !topic.utf8.contains(0) else {
            return (entry.seq, "", [])
        }
        return (entry.seq, topic, Array(bytes[(newline + 1)...]))
    }

    func seq(at index: Int) -> UInt64? { index < count ? entries[head + index].seq : nil }

    /// Removes the message `seq` (acknowledged); true when it was waiting.
    @discardableResult
    func remove(_ seq: UInt64) -> Bool {
        guard let first = self.seq(at: 0) else { return false }
        if first == seq { removeFirst(); return true }
        // Out of order (rare: a later message acknowledged first): remove it in place.
        guard let index = entries[head...].firstIndex(where: { $0.seq == seq }) else { return false }
        let entry = entries.remove(at: index)
        forget(entry)
        return true
    }

    private func removeFirst() {
        let entry = entries[head]
        head += 1
        forget(entry)
        if head > 4096, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    private func forget(_ entry: Entry) {
        unlink(path(entry.seq))
        totalBytes -= entry.size
        if entry.bytes != nil { cachedBytes -= entry.size }
    }
}
