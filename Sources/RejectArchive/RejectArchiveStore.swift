import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The reject archive on disk: one file per record (`000000000042.rec`: a JSON header line, then
/// the region JPEG and the heatmap JPEG), each written atomically (`FileIO.writeAtomically`), and
/// `index.json`, the list of records, rewritten atomically now and then. A kill -9 or a power cut
/// leaves every record complete or absent and an index that is the old one or the new one; at the
/// next open the index is checked against the folder: records written after it are read back from
/// their own headers, listed records whose file is gone are dropped, unreadable files (torn,
/// hostile, not regular) are removed. Bounded by count and by bytes (records plus the index, twice
/// over for its atomic rewrite): the oldest records go first.
///
/// Used by one thread at a time (the archive's writer thread, or `lineside rejects` read-only).
public final class RejectArchiveStore {
    public static let indexName = "index.json"
    public static let format = "lineside-rejects/1"
    /// Largest record file read (a record is two JPEGs and a header).
    public static let maximumRecordBytes = 16 << 20
    /// Longest header line of a record file.
    static let maximumHeaderBytes = 4096
    /// Bytes reserved per record for the index (an entry serializes to under 400).
    static let indexBytesPerRecord = 400

    public let folder: String
    public let maxRecords: Int
    public let maxBytes: Int
    public let readOnly: Bool
    /// Oldest first.
    public private(set) var records: [ArchiveRecord] = []
    public private(set) var recordBytes = 0
    public private(set) var nextID: UInt64 = 1
    /// What the open found and repaired (one line each), for the log.
    public private(set) var problems: [String] = []
    public private(set) var indexDirty = false
    public private(set) var evicted: UInt64 = 0
    /// Records the open read back from their own headers (written after the last index).
    public private(set) var recovered = 0

    /// Opens (read-only: never creates, removes or rewrites anything) the archive in `folder`.
    public init(folder: String, maxRecords: Int, maxBytes: Int, readOnly: Bool = false) throws(ArchiveError) {
        self.folder = folder
        self.maxRecords = max(1, maxRecords)
        self.maxBytes = maxBytes
        self.readOnly = readOnly
        if !readOnly { do { try Directory.create(folder) } catch { throw .file(error) } }
        let names: [String]
        do { names = try Directory.entries(folder) } catch { throw .file(error) }
        var onDisk: [UInt64: Int] = [:]  // id -> size of a regular record file
        for name in names {
            let path = folder + "/" + name
            if let id = Self.id(fromName: name) {
                if let size = Self.regularFileSize(path) { onDisk[id] = size } else {
                    problems.append("\(path): not a regular file, ignored")
                }
            } else if name.hasPrefix("."), name.contains(".tmp-"), !readOnly, Self.regularFileSize(path) != nil {
                unlink(path)  // a writer killed mid-write
            }
        }
        var listed: [UInt64: ArchiveRecord] = [:]
        if names.contains(Self.indexName) {
            for record in readIndex() where listed[record.id] == nil {
                guard let size = onDisk[record.id] else { indexDirty = true; continue }  // deleted after the index was written
                var checked = record
                checked.fileBytes = size
                listed[record.id] = checked
            }
        } else if !onDisk.isEmpty {
            problems.append("\(folder)/\(Self.indexName): missing; rebuilt from the records")
        }
        for (id, _) in onDisk where listed[id] == nil {
            // Written after the last index (or the index was lost): the record's own header.
            do {
                listed[id] = try Self.readRecord(folder: folder, id: id).record
                recovered += 1
                indexDirty = true
            } catch {
                problems.append("\(error)\(readOnly ? "" : "; removed")")
                if !readOnly { unlink(Self.path(folder: folder, id: id)) }
            }
        }
        records = listed.values.sorted { $0.id < $1.id }
        recordBytes = records.reduce(0) { $0 + $1.fileBytes }
        nextID = (records.last?.id ?? 0) &+ 1
        if !readOnly {
            evict(toFit: 0, extraRecords: 0)
            if indexDirty { try flushIndex() }
        }
    }

    /// Index entries that pass every check; a torn or hostile index is reported and ignored.
    private func readIndex() -> [ArchiveRecord] {
        let path = folder + "/" + Self.indexName
        do {
            let bytes = try FileIO.read(path, limit: 64 << 20)
            let json = try JSON.parse(bytes)
            guard json["format"]?.stringValue == Self.format, let items = json["records"]?.arrayValue else {
                throw ArchiveError.corrupt(path: path, reason: "not a \(Self.format) index")
            }
            var out: [ArchiveRecord] = []
            var rejected = 0
            for item in items {
                do { out.append(try ArchiveRecord(json: item, what: path)) } catch { rejected += 1 }
            }
            if rejected > 0 { problems.append("\(path): \(rejected) unreadable entries ignored"); indexDirty = true }
            return out
        } catch {
            problems.append("\(path): unreadable (\(error)); rebuilt from the records")
            indexDirty = true
            return []
        }
    }

    /// Bytes the archive may take on disk now: the records and the index (twice: its rewrite).
    public var totalBytes: Int { recordBytes + 2 * Self.indexReserve(records.count) }

    static func indexReserve(_ count: Int) -> Int { 64 + indexBytesPerRecord * count }

    /// Writes a record (its id, file size and bytes are set here) and deletes the oldest ones
    /// beyond the bounds. The index is not rewritten: call `flushIndex` (the open recovers records
    /// written after the last index).
    @discardableResult
    public func append(_ draft: ArchiveRecord, region: [UInt8], heatmap: [UInt8]) throws(ArchiveError) -> ArchiveRecord {
        precondition(!readOnly, "append on a read-only archive")
        var record = draft
        record.id = nextID
        record.regionBytes = region.count
        record.heatmapBytes = heatmap.count
        record.fileBytes = 0
        var bytes = Array(record.json.serialized.utf8)
        guard bytes.count < Self.maximumHeaderBytes else { throw .corrupt(path: folder, reason: "record header too long") }
        bytes.append(0x0A)
        bytes += region
        bytes += heatmap
        record.fileBytes = bytes.count
        guard bytes.count <= Self.maximumRecordBytes, bytes.count + 2 * Self.indexReserve(1) <= maxBytes else {
            throw .corrupt(path: folder, reason: "a record of \(bytes.count) bytes does not fit the archive's \(maxBytes) bytes")
        }
        evict(toFit: bytes.count, extraRecords: 1)
        do { try FileIO.writeAtomically(bytes, to: Self.path(folder: folder, id: record.id)) } catch { throw .file(error) }
        nextID &+= 1
        records.append(record)
        recordBytes += record.fileBytes
        indexDirty = true
        return record
    }

    /// Deletes the oldest records until `bytes` more in `extraRecords` more records fit.
    private func evict(toFit bytes: Int, extraRecords: Int) {
        var drop = 0
        var kept = recordBytes
        while drop < records.count,
              records.count - drop + extraRecords > maxRecords
                || kept + bytes + 2 * Self.indexReserve(records.count - drop + extraRecords) > maxBytes {
            unlink(Self.path(folder: folder, id: records[drop].id))
            kept -= records[drop].fileBytes
            drop += 1
        }
        guard drop > 0 else { return }
        records.removeFirst(drop)
        recordBytes = kept
        evicted &+= UInt64(drop)
        indexDirty = true
    }

    /// Rewrites index.json atomically.
    public func flushIndex() throws(ArchiveError) {
        precondition(!readOnly, "flush on a read-only archive")
        let json = JSON.object(["format": .string(Self.format), "records": .array(records.map(\.json))])
        do { try FileIO.writeAtomically(Array(json.serialized.utf8), to: folder + "/" + Self.indexName) } catch { throw .file(error) }
        indexDirty = false
    }

    // MARK: record files

    public static func path(folder: String, id: UInt64) -> String {
        let digits = String(id)
        return folder + "/" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".rec"
    }

    /// The id of a record file's name (12 digits and ".rec"), nil for any other name.
    public static func id(fromName name: String) -> UInt64? {
        let utf8 = Array(name.utf8)
        guard utf8.count == 16, name.hasSuffix(".rec"), utf8[0..<12].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(String(decoding: utf8[0..<12], as: UTF8.self))
    }

    /// A record and its two pictures, read from its file with every length checked.
    public static func readRecord(folder: String, id: UInt64) throws(ArchiveError)
        -> (record: ArchiveRecord, region: ArraySlice<UInt8>, heatmap: ArraySlice<UInt8>) {
        let path = path(folder: folder, id: id)
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: maximumRecordBytes) } catch { throw .file(error) }
        guard let newline = bytes.prefix(maximumHeaderBytes).firstIndex(of: 0x0A) else {
            throw .corrupt(path: path, reason: "no header line in the first \(maximumHeaderBytes) bytes")
        }
        let json: JSON
        do { json = try JSON.parse(bytes[..<newline]) } catch { throw .corrupt(path: path, reason: "\(error)") }
        var record = try ArchiveRecord(json: json, what: path)
        guard record.id == id else { throw .corrupt(path: path, reason: "header names record \(record.id)") }
        let start = newline + 1
        guard record.regionBytes > 0, start + record.regionBytes + record.heatmapBytes == bytes.count else {
            throw .corrupt(path: path, reason: "picture sizes do not add up to the file's \(bytes.count) bytes (torn?)")
        }
        record.fileBytes = bytes.count
        let regionEnd = start + record.regionBytes
        return (record, bytes[start..<regionEnd], bytes[regionEnd...])
    }

    static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}
