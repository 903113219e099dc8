import Drift
import LineIO
import Platform
import Service
#if canImport(Glibc)
import Glibc
#endif

/// The JSON of every message the plant link publishes; board/mqtt-schema.json describes them all.
/// Topics: `<prefix>/part`, `<prefix>/status`, `<prefix>/event` (queued, QoS of [mqtt] qos) and
/// `<prefix>/online` (retained: the birth message, or the will / a clean stop's offline message).
public enum PlantMessages {
    public static let schema = "lineside-mqtt/1"

    /// Wall time now, in ms since 1970 (only for timestamps in messages).
    static func wallNowMs() -> Int64 { WallClock.nowMs() }

    /// A CLOCK_MONOTONIC time as wall ms, through the current offset between the two clocks.
    static func wallMs(monotonicNs: UInt64) -> Int64 { WallClock.ms(monotonicNs: monotonicNs) }

    /// "2026-12-01T09:40:01.123Z"
    static func iso8601(ms: Int64) -> String { WallClock.iso8601(ms: ms) }

    static func header(_ type: String, station: String, seq: UInt64?, ms: Int64) -> [String: JSON] {
        var object: [String: JSON] = ["schema": .string(schema), "type": .string(type), "station": .string(station),
                                      "time": .string(iso8601(ms: ms)), "unix_ms": .number(Double(ms))]
        if let seq { object["seq"] = .number(Double(seq)) }
        return object
    }

    static func verdictName(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: "pass"
        case .reject: "reject"
        case .inspectionFailed: "fail-safe"
        }
    }

    static func rounded(_ x: Double, _ places: Double = 1e4) -> JSON { x.isFinite ? .number((x * places).rounded() / places) : .null }

    public static func part(_ record: PartRecord, captureMs: Int64, station: String, seq: UInt64) -> JSON {
        var object = header("part", station: station, seq: seq, ms: captureMs)
        object["part"] = .number(Double(record.part))
        object["frame"] = .number(Double(record.sequence))
        object["capture_time"] = .string(iso8601(ms: captureMs))
        object["score"] = record.score.map { rounded(Double($0)) } ?? .null
        object["threshold"] = record.threshold.map { rounded(Double($0)) } ?? .null
        object["verdict"] = .string(verdictName(record.verdict))
        object["reason"] = .string(record.reason)
        object["model_id"] = record.modelID.map { .string($0) } ?? .null
        object["latency_ms"] = record.latencyNs.map { rounded(Double($0) / 1e6, 1e3) } ?? .null
        if let offset = record.offset { object["offset"] = offset.json }
        return .object(object)
    }

    public static func status(_ report: StatusReport, ms: Int64, station: String, seq: UInt64, queued: Int, dropped: UInt64) -> JSON {
        var object = header("status", station: station, seq: seq, ms: ms)
        let status = report.json
        object["state"] = status["state"] ?? .null
        object["detail"] = status["detail"] ?? .null
        var counters: [String: JSON] = [:]
        for key in ["frames", "inspected", "passes", "rejects", "fail_safe", "uninspected", "captured", "drops", "calibrations"] {
            counters[key] = status[key] ?? .number(0)
        }
        object["counters"] = .object(counters)
        object["latency_p50_ms"] = status["latency_p50_ms"] ?? .null
        object["latency_p99_ms"] = status["latency_p99_ms"] ?? .null
        object["fps"] = status["fps"] ?? .null
        object["threshold"] = status["threshold"] ?? .null
        object["uptime_s"] = status["uptime_s"] ?? .null
        object["drift"] = status["drift"] ?? .null
        object["link"] = .object(["queued": .number(Double(queued)), "dropped": .number(Double(dropped))])
        return .object(object)
    }

    public static func drift(_ reading: DriftReading) -> JSON {
        .object(["score_progress": rounded(reading.scoreProgress), "brightness_ratio": rounded(reading.brightnessRatio),
                 "contrast_ratio": rounded(reading.contrastRatio), "median_score": rounded(reading.medianScore),
                 "reasons": .array(reading.reasons.map { .string($0) })])
    }

    public static func event(_ event: ServiceEvent, ms: Int64, station: String, seq: UInt64) -> JSON {
        var object = header("event", station: station, seq: seq, ms: ms)
        object["event"] = .string(event.name)
        switch event {
        case .modelLoaded(let id, let threshold), .modelSwapped(let id, let threshold):
            object["model_id"] = .string(id); object["threshold"] = rounded(Double(threshold))
        case .calibrationStarted(let frames):
            object["frames"] = .number(Double(frames))
        case .calibrationFinished(let outcome, let id, let threshold):
            object["outcome"] = .string(outcome)
            object["model_id"] = id.map { .string($0) } ?? .null
            object["threshold"] = threshold.map { rounded(Double($0)) } ?? .null
        case .rollback(let id):
            object["model_id"] = .string(id)
        case .fault(let reason):
            object["reason"] = .string(reason)
        case .faultCleared(let state):
            object["state"] = .string(state)
        case .drift(_, let reading):
            object["drift"] = drift(reading)
        }
        return .object(object)
    }

    public static func birth(station: String, clientID: String, ms: Int64) -> JSON {
        var object = header("birth", station: station, seq: nil, ms: ms)
        object["online"] = .bool(true)
        object["client_id"] = .string(clientID)
        return .object(object)
    }

    /// The will (set at connect, published by the broker when the board goes silent) and the
    /// message of a clean stop: the same document with `reason`.
    public static func offline(station: String, reason: String) -> JSON {
        .object(["schema": .string(schema), "type": .string("will"), "station": .string(station), "online": .bool(false),
                 "reason": .string(reason)])
    }
}
