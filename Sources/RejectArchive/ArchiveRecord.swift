import Platform
import Service

/// One archived part: its figures, and where its pictures are in its record file.
public struct ArchiveRecord: Sendable, Equatable {
    /// Why the part is in the archive.
    public enum Reason: String, Sendable, CaseIterable {
        /// Inspected, score over the threshold.
        case score = "score over threshold"
        /// Not inspected (no model, calibrating): the no-model policy decided.
        case notInspected = "not inspected"
        /// The fail-safe policy decided (inspection failed, fault).
        case failSafe = "fail-safe"
        /// The part was not found where the region expects it (position correction).
        case notLocated = "not located"
        /// A passed part, archived for comparison (every Nth).
        case passSample = "pass sample"
    }

    public var id: UInt64
    public var part: UInt64
    /// Capture time, ms since 1970.
    public var captureMs: Int64
    public var score: Float?
    public var threshold: Float?
    /// "pass", "reject" or "fail-safe"
    public var verdict: String
    public var reason: Reason
    /// The service's reason code ("score", "no-model", "calibrating", "fault", "inspection-failed", ...).
    public var detail: String
    public var modelID: String?
    /// Where the part lay against the registration reference (models fitted with registration).
    public var offset: PartOffset?
    public var regionBytes: Int
    public var heatmapBytes: Int
    /// The record file's size.
    public var fileBytes: Int

    public init(id: UInt64, part: UInt64, captureMs: Int64, score: Float?, threshold: Float?, verdict: String, reason: Reason,
                detail: String, modelID: String?, offset: PartOffset? = nil, regionBytes: Int, heatmapBytes: Int, fileBytes: Int = 0) {
        self.id = id
        self.part = part
        self.captureMs = captureMs
        self.score = score
        self.threshold = threshold
        self.verdict = verdict
        self.reason = reason
        self.detail = detail
        self.modelID = modelID
        self.offset = offset
        self.regionBytes = regionBytes
        self.heatmapBytes = heatmapBytes
        self.fileBytes = fileBytes
    }

    public var json: JSON {
        var object: [String: JSON] = [
            "id": .number(Double(id)), "part": .number(Double(part)), "capture_ms": .number(Double(captureMs)),
            "time": .string(WallClock.iso8601(ms: captureMs)), "verdict": .string(verdict), "reason": .string(reason.rawValue),
            "detail": .string(detail), "region_bytes": .number(Double(regionBytes)), "heatmap_bytes": .number(Double(heatmapBytes)),
            "file_bytes": .number(Double(fileBytes)),
        ]
        object["score"] = score.map { .number(Double($0)) } ?? .null
        object["threshold"] = threshold.map { .number(Double($0)) } ?? .null
        object["model"] = modelID.map { .string($0) } ?? .null
        if let offset { object["offset"] = offset.json }
        return .object(object)
    }

    /// Reads a record written by `json`; every field checked (a torn or forged index or record
    /// is refused, never trusted). `what` names the file for the message.
    public init(json: JSON, what: String) throws(ArchiveError) {
        func bad(_ reason: String) -> ArchiveError { .corrupt(path: what, reason: reason) }
        func count(_ key: String, max: Int) throws(ArchiveError) -> Int {
            guard let n = json[key]?.intValue, n >= 0, n <= max else { throw bad("\(key) missing or out of range") }
            return n
        }
        func float(_ key: String) throws(ArchiveError) -> Float? {
            switch json[key] {
            case nil, .null?: return nil
            case .number(let d)?: guard d.isFinite, abs(d) < 1e30 else { throw bad("\(key) is not a finite number") }; return Float(d)
            default: throw bad("\(key) is not a number")
            }
        }
        func text(_ key: String, max: Int) throws(ArchiveError) -> String {
            guard let s = json[key]?.stringValue, s.utf8.count <= max else { throw bad("\(key) missing or too long") }
            return s
        }
        guard case .object = json else { throw bad("not an object") }
        id = UInt64(try count("id", max: 1 << 52))
        part = UInt64(try count("part", max: 1 << 52))
        guard let ms = json["capture_ms"]?.intValue, abs(ms) < 1 << 50 else { throw bad("capture_ms missing or out of range") }
        captureMs = Int64(ms)
        score = try float("score")
        threshold = try float("threshold")
        verdict = try text("verdict", max: 16)
        guard ["pass", "reject", "fail-safe"].contains(verdict) else { throw bad("unknown verdict") }
        guard let reason = Reason(rawValue: try text("reason", max: 64)) else { throw bad("unknown reason") }
        self.reason = reason
        detail = try text("detail", max: 64)
        switch json["model"] {
        case nil, .null?: modelID = nil
        case .string(let s)? where s.utf8.count <= 64: modelID = s
        default: throw bad("model is not a short string")
        }
        switch json["offset"] {
        case nil, .null?: offset = nil
        case let value?:
            // Bounded like every other field: a shift beyond any frame, an angle beyond a turn or a
            // correlation beyond [-1, 1] is a forged record.
            guard let o = PartOffset(json: value), [o.dx, o.dy, o.angleDegrees, o.quality].allSatisfy(\.isFinite),
                  abs(o.dx) <= 100_000, abs(o.dy) <= 100_000, abs(o.angleDegrees) <= 360, abs(o.quality) <= 1.000001,
                  (o.notLocatedReason?.utf8.count ?? 0) <= 200 else {
                throw bad("offset is not a part offset")
            }
            offset = o
        }
        regionBytes = try count("region_bytes", max: RejectArchiveStore.maximumRecordBytes)
        heatmapBytes = try count("heatmap_bytes", max: RejectArchiveStore.maximumRecordBytes)
        fileBytes = try count("file_bytes", max: RejectArchiveStore.maximumRecordBytes)
    }

    /// One line for `lineside rejects`.
    public var line: String {
        let scoreText = score.map { fixed($0) } ?? "-"
        let thresholdText = threshold.map { fixed($0) } ?? "-"
        return "\(id)  \(WallClock.iso8601(ms: captureMs))  part \(part)  \(verdict)  \(reason.rawValue) (\(detail))  score \(scoreText) / threshold \(thresholdText)  model \(modelID ?? "none")"
            + (offset.map { "  offset \($0.text)\($0.located ? "" : " NOT LOCATED")" } ?? "")
    }

    private func fixed(_ x: Float) -> String {
        let scaled = (Double(x) * 1000).rounded() / 1000
        return "\(scaled)"
    }
}

/// Why the archive on disk could not be read or written; one line naming the file.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    case corrupt(path: String, reason: String)
    case file(FileError)
    case image(String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason): "\(path): not a reject archive record: \(reason)"
        case .file(let error): "\(error)"
        case .image(let reason): "archive picture: \(reason)"
        }
    }
}
