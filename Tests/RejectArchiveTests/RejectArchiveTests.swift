import Configuration
import Glibc
import ImageCodec
import Imaging
import LineIO
import Logging
import Platform
import Service
import Testing
@testable import RejectArchive

private func folder(_ name: String) throws -> String { try Directory.makeTemporary(prefix: "archive-" + name) }

private func draft(part: UInt64, score: Float? = 3, reason: ArchiveRecord.Reason = .score) -> ArchiveRecord {
    ArchiveRecord(id: 0, part: part, captureMs: 1_790_000_000_000 + Int64(part), score: score, threshold: 2, verdict: "reject",
                  reason: reason, detail: "score", modelID: "0123456789abcdef", regionBytes: 0, heatmapBytes: 0)
}

private func bytes(_ n: Int, _ fill: UInt8 = 0xAB) -> [UInt8] { [UInt8](repeating: fill, count: n) }

private func partRecord(_ part: UInt64, verdict: Verdict, score: Float?, reason: String = "score") -> PartRecord {
    PartRecord(part: part, sequence: UInt32(part), captureNs: SystemClock.shared.nowNs, score: score, threshold: 1,
               verdict: verdict, reason: reason, modelID: "fedcba9876543210", latencyNs: 1_000_000)
}

private func partImage(withMap: Bool) -> PartImage {
    var region = Image(width: 64, height: 48, layout: .rgb)
    for i in 0..<region.pixels.count { region.pixels[i] = UInt8(truncatingIfNeeded: i * 7) }
    let side = Preprocessor.cropTo
    let map = withMap ? (0..<(side * side)).map { Float($0 % side) / Float(side) * 2 } : nil
    return PartImage(region: region, map: map, mapSize: side)
}

@Suite struct RejectArchiveStoreTests {
    @Test func keepsAtMostMaxRecordsTheOldestGoFirst() throws {
        let dir = try folder("count")
        defer { Directory.removeTree(dir) }
        let store = try RejectArchiveStore(folder: dir, maxRecords: 10, maxBytes: 100_000_000)
        for part in 0..<25 { try store.append(draft(part: UInt64(part)), region: bytes(100), heatmap: bytes(50)) }
        #expect(store.records.count == 10)
        #expect(store.records.map(\.part) == Array(15..<25))
        #expect(store.evicted == 15)
        #expect(try Directory.entries(dir).filter { $0.hasSuffix(".rec") }.count == 10)
    }

    @Test func staysUnderItsByteBudgetCountingTheIndex() throws {
        let dir = try folder("bytes")
        defer { Directory.removeTree(dir) }
        let store = try RejectArchiveStore(folder: dir, maxRecords: 100_000, maxBytes: 200_000)
        for part in 0..<300 {
            try store.append(draft(part: UInt64(part)), region: bytes(3000), heatmap: bytes(1000))
            if part % 50 == 0 { try store.flushIndex() }
        }
        try store.flushIndex()
        let onDisk = try Directory.entries(dir).reduce(0) { $0 + (RejectArchiveStore.regularFileSize(dir + "/" + $1) ?? 0) }
        #expect(onDisk <= 200_000)
        #expect(store.totalBytes <= 200_000)
        #expect(store.records.count > 20)
        #expect(store.records.last?.part == 299)
    }

    @Test func aRecordTooLargeForTheBudgetIsRefusedNotWritten() throws {
        let dir = try folder("huge")
        defer { Directory.removeTree(dir) }
        let store = try RejectArchiveStore(folder: dir, maxRecords: 10, maxBytes: 10_000)
        #expect(throws: ArchiveError.self) { try store.append(draft(part: 1), region: bytes(20_000), heatmap: []) }
        #expect(store.records.isEmpty)
    }

    @Test func recordsWrittenAfterTheLastIndexAreRecoveredAtOpen() throws {
        let dir = try folder("recover")
        defer { Directory.removeTree(dir) }
        do {
            let store = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
            for part in 0..<3 { try store.append(draft(part: UInt64(part)), region: bytes(10), heatmap: bytes(5)) }
            try store.flushIndex()
            for part in 3..<7 { try store.append(draft(part: UInt64(part)), region: bytes(10), heatmap: bytes(5)) }
            // "killed" here: four records are not in the index
        }
        let reopened = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
        #expect(reopened.records.map(\.part) == Array(0..<7))
        #expect(reopened.nextID == 8)
        let read = try RejectArchiveStore.readRecord(folder: dir, id: 5)
        #expect(read.record.part == 4 && Array(read.region) == bytes(10) && Array(read.heatmap) == bytes(5))
    }

    @Test func aTornOrHostileIndexIsRebuiltFromTheRecords() throws {
        let dir = try folder("index")
        defer { Directory.removeTree(dir) }
        do {
            let store = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
            for part in 0..<4 { try store.append(draft(part: UInt64(part)), region: bytes(10), heatmap: []) }
            try store.flushIndex()
        }
        let index = dir + "/" + RejectArchiveStore.indexName
        for hostile in ["{\"format\":\"lineside-rejects/1\",\"records\":[{\"id\":1,", "\u{FF}\u{FE}garbage", "[]",
                        "{\"format\":\"lineside-rejects/1\",\"records\":[{\"id\":-3,\"part\":1e300,\"region_bytes\":\"x\"}]}"] {
            try FileIO.writeAtomically(Array(hostile.utf8), to: index)
            let reopened = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
            #expect(reopened.records.map(\.part) == [0, 1, 2, 3], "index \(hostile.prefix(20))")
            #expect(!reopened.problems.isEmpty)
        }
        // A forged index that lies about the sizes: the files' real sizes count.
        let lie = "{\"format\":\"lineside-rejects/1\",\"records\":[" + (1...4).map { id in
            "{\"id\":\(id),\"part\":\(id - 1),\"capture_ms\":0,\"verdict\":\"reject\",\"reason\":\"score over threshold\",\"detail\":\"score\",\"region_bytes\":1,\"heatmap_bytes\":0,\"file_bytes\":1,\"score\":1,\"threshold\":1,\"model\":null}"
        }.joined(separator: ",") + "]}"
        try FileIO.writeAtomically(Array(lie.utf8), to: index)
        let reopened = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
        #expect(reopened.records.allSatisfy { $0.fileBytes > 100 })
    }

    @Test func tornHostileAndForeignRecordFilesAreRemovedOrIgnored() throws {
        let dir = try folder("records")
        defer { Directory.removeTree(dir) }
        do {
            let store = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
            for part in 0..<3 { try store.append(draft(part: UInt64(part)), region: bytes(100), heatmap: bytes(100)) }
            try store.flushIndex()
        }
        // Torn: record 2 cut short (its sizes no longer add up); record 9: garbage; 10: header names another id.
        let two = RejectArchiveStore.path(folder: dir, id: 2)
        let torn = try FileIO.read(two)
        try FileIO.writeAtomically(Array(torn.prefix(torn.count - 30)), to: two)
        try FileIO.writeAtomically(bytes(5000, 0x7B), to: RejectArchiveStore.path(folder: dir, id: 9))
        var other = try FileIO.read(RejectArchiveStore.path(folder: dir, id: 1))
        other.replaceSubrange(0..<7, with: Array("{\"id\":7".utf8))
        try FileIO.writeAtomically(other, to: RejectArchiveStore.path(folder: dir, id: 10))
        #expect(mkfifo(RejectArchiveStore.path(folder: dir, id: 11), 0o600) == 0)
        try FileIO.writeAtomically(Array("left alone".utf8), to: dir + "/notes.txt")
        // Read-only (lineside rejects) reports and changes nothing.
        let readOnly = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000, readOnly: true)
        #expect(readOnly.records.map(\.id) == [1, 2, 3])  // the index still lists 2; the reader does not trust it below
        #expect(throws: ArchiveError.self) { try RejectArchiveStore.readRecord(folder: dir, id: 2) }
        #expect(Directory.exists(RejectArchiveStore.path(folder: dir, id: 9)))
        // Opened for writing, after the index is lost: only intact records remain.
        unlink(dir + "/" + RejectArchiveStore.indexName)
        let repaired = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000)
        #expect(repaired.records.map(\.id) == [1, 3])
        #expect(!Directory.exists(RejectArchiveStore.path(folder: dir, id: 2)))
        #expect(!Directory.exists(RejectArchiveStore.path(folder: dir, id: 9)))
        #expect(!Directory.exists(RejectArchiveStore.path(folder: dir, id: 10)))
        #expect(Directory.exists(dir + "/notes.txt"))
        #expect(repaired.nextID == 4)
    }

    @Test func onlyTwelveDigitRecordNamesAreRecords() {
        #expect(RejectArchiveStore.id(fromName: "000000000042.rec") == 42)
        for name in ["42.rec", "00000000004x.rec", "000000000042.rec.tmp", "../00000000042.rec", "000000000042.REC"] {
            #expect(RejectArchiveStore.id(fromName: name) == nil, "\(name)")
        }
    }
}

@Suite struct RejectArchiveSinkTests {
    @Test func archivesEveryRejectAndEveryNthPassWithPicturesOffTheCallersThread() throws {
        let dir = try folder("sink")
        defer { Directory.removeTree(dir) }
        let archive = try RejectArchive(settings: ArchiveSettings(folder: dir, maxRecords: 100, maxBytes: 10_000_000, everyNthPass: 5),
                                        logger: Logger(label: "test"))
        var handed = 0
        for part in UInt64(0)..<20 {
            let verdict: Verdict = part % 4 == 3 ? .reject : .pass
            let record = partRecord(part, verdict: verdict, score: verdict == .reject ? 3 : 0.5)
            if archive.wantsImage(for: record) { archive.part(record, image: partImage(withMap: true)); handed += 1 }
        }
        // rejects 3, 7, 11, 15, 19; passes 0, 5, 10
        #expect(handed == 8)
        #expect(archive.wait(for: .seconds(10)) { $0.written == 8 })
        archive.stop()
        let store = try RejectArchiveStore(folder: dir, maxRecords: 100, maxBytes: 10_000_000, readOnly: true)
        #expect(store.problems.isEmpty)
        #expect(store.records.map(\.part) == [0, 3, 5, 7, 10, 11, 15, 19])
        #expect(store.records.filter { $0.reason == .score }.count == 5)
        #expect(store.records.filter { $0.reason == .passSample }.count == 3)
        let first = try #require(store.records.first { $0.reason == .score })
        let read = try RejectArchiveStore.readRecord(folder: dir, id: first.id)
        let region = try ImageDecoder.decode(Array(read.region), path: "region")
        let heatmap = try ImageDecoder.decode(Array(read.heatmap), path: "heatmap")
        #expect(region.width == 64 && region.height == 48)
        #expect(heatmap.width == Preprocessor.cropTo && heatmap.height == Preprocessor.cropTo)
        #expect(first.modelID == "fedcba9876543210" && first.threshold == 1 && first.score == 3)
    }

    @Test func aPartNotInspectedIsArchivedWithoutAHeatmapAndItsReason() throws {
        let dir = try folder("uninspected")
        defer { Directory.removeTree(dir) }
        let archive = try RejectArchive(settings: ArchiveSettings(folder: dir, everyNthPass: 0), logger: Logger(label: "test"))
        let calibrating = partRecord(1, verdict: .reject, score: nil, reason: "calibrating")
        let failed = partRecord(2, verdict: .inspectionFailed, score: nil, reason: "inspection-failed")
        let passed = partRecord(3, verdict: .pass, score: 0.1)
        #expect(!archive.wantsImage(for: passed))
        for record in [calibrating, failed] { archive.part(record, image: partImage(withMap: false)) }
        #expect(archive.wait(for: .seconds(10)) { $0.written == 2 })
        let recent = archive.recent
        archive.stop()
        #expect(recent.map(\.reason) == [.notInspected, .failSafe])
        #expect(recent.map(\.verdict) == ["reject", "fail-safe"])
        #expect(recent.allSatisfy { $0.heatmapBytes == 0 && $0.score == nil })
    }

    @Test func aRegisteredPartsOffsetIsKeptListedAndCheckedOnRead() throws {
        var part = partRecord(9, verdict: .reject, score: nil, reason: "not-located")
        part.offset = PartOffset(dx: 41.5, dy: -3.25, angleDegrees: 2.5, quality: 0.91, located: false,
                                 notLocatedReason: "shift 8.6% > 5%")
        let record = RejectArchive.draft(part)
        #expect(record.offset == part.offset)
        let read = try ArchiveRecord(json: JSON.parse(Array(record.json.serialized.utf8)), what: "r")
        #expect(read.offset == part.offset && read.reason == .notLocated)
        #expect(read.line.contains("offset dx 41.5 px, dy -3.3 px, angle 2.5 deg") && read.line.contains("NOT LOCATED"), "\(read.line)")
        // A record without one (a model without registration) reads as before.
        let plain = try ArchiveRecord(json: JSON.parse(Array(draft(part: 1).json.serialized.utf8)), what: "r")
        #expect(plain.offset == nil && !plain.line.contains("offset"))
        // Forged offsets are refused, naming the file.
        for forged in [#"{"dx_px":1e300,"dy_px":0,"angle_deg":0,"quality":0.9}"#, #"{"dx_px":0,"dy_px":0,"angle_deg":720,"quality":0.9}"#,
                       #"{"dx_px":0,"dy_px":0,"angle_deg":0,"quality":7}"#, #""far""#] {
            var object = record.json
            if case .object(var fields) = object { fields["offset"] = try JSON.parse(Array(forged.utf8)); object = .object(fields) }
            #expect(throws: ArchiveError.corrupt(path: "r.rec", reason: "offset is not a part offset")) {
                try ArchiveRecord(json: object, what: "r.rec")
            }
        }
    }

    @Test func aReasonForEveryServiceCode() {
        #expect(RejectArchive.draft(partRecord(1, verdict: .reject, score: nil, reason: "not-located")).reason == .notLocated)
        #expect(RejectArchive.draft(partRecord(1, verdict: .reject, score: nil, reason: "fault")).reason == .failSafe)
        #expect(RejectArchive.draft(partRecord(1, verdict: .reject, score: nil, reason: "no-model")).reason == .notInspected)
    }
}
