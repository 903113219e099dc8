import Inspection
import Platform

/// The status file the service rewrites (atomically) every second, and how `lineside status`
/// shows it to a person.
public struct StatusReport: Sendable, Equatable {
    public var state: String
    public var detail: String
    public var counters: ServiceCounters
    public var latencyP50Ms: Double?
    public var latencyP99Ms: Double?
    /// Frames inspected per second over the last status interval.
    public var framesPerSecond: Double
    /// Frames the camera delivered per second over the last status interval.
    public var cameraFramesPerSecond: Double
    public var threshold: Float?
    public var modelPath: String
    public var uptimeSeconds: Double
    public var cameraReconnects: UInt64
    /// Frame timeouts and source errors since the start.
    public var cameraFailures: UInt64
    /// The drift watch (StatusReport+Drift.swift): warning on, and its last reading as text.
    public var driftWarning = false
    public var driftReading: String?
    /// The last inspected part's position against the registration reference (nil: the model
    /// has no registration); the not-located count is in `counters`.
    public var offset: PartOffset?

    public init(state: String, detail: String, counters: ServiceCounters, latencyP50Ms: Double?, latencyP99Ms: Double?,
                framesPerSecond: Double, cameraFramesPerSecond: Double = 0, threshold: Float?, modelPath: String,
                uptimeSeconds: Double, cameraReconnects: UInt64, cameraFailures: UInt64 = 0) {
        self.state = state
        self.detail = detail
        self.counters = counters
        self.latencyP50Ms = latencyP50Ms
        self.latencyP99Ms = latencyP99Ms
        self.framesPerSecond = framesPerSecond
        self.cameraFramesPerSecond = cameraFramesPerSecond
        self.threshold = threshold
        self.modelPath = modelPath
        self.uptimeSeconds = uptimeSeconds
        self.cameraReconnects = cameraReconnects
        self.cameraFailures = cameraFailures
    }

    public var json: JSON {
        func n(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
        func u(_ x: UInt64) -> JSON { .number(Double(x)) }
        return .object([
            "state": .string(state), "detail": .string(detail),
            "frames": u(counters.frames), "inspected": u(counters.inspected), "passes": u(counters.passes),
            "rejects": u(counters.rejects), "fail_safe": u(counters.failSafe), "uninspected": u(counters.uninspected),
            "missed": u(counters.missed),
            "captured": u(counters.captured), "drops": u(counters.drops), "calibrations": u(counters.calibrations),
            "last_score": .number(Double(counters.lastScore)),
            "latency_p50_ms": n(latencyP50Ms), "latency_p99_ms": n(latencyP99Ms),
            "fps": .number(framesPerSecond), "camera_fps": .number(cameraFramesPerSecond), "threshold": n(threshold.map(Double.init)),
            "model": .string(modelPath), "uptime_s": .number(uptimeSeconds), "camera_reconnects": u(cameraReconnects),
            "camera_failures": u(cameraFailures),
            "drift": .object(["warning": .bool(driftWarning), "reading": driftReading.map { .string($0) } ?? .null]),
            "not_located": u(counters.notLocated),
            "offset": offset.map(\.json) ?? .null,
        ])
    }

    public init(json: JSON) throws(InspectionError) {
        func u(_ key: String) -> UInt64 { UInt64(max(0, json[key]?.doubleValue ?? 0)) }
        guard let state = json["state"]?.stringValue else { throw .dataset(path: "status", reason: "no state in status file") }
        var counters = ServiceCounters()
        counters.frames = u("frames"); counters.inspected = u("inspected"); counters.passes = u("passes")
        counters.rejects = u("rejects"); counters.failSafe = u("fail_safe"); counters.uninspected = u("uninspected")
        counters.missed = u("missed")
        counters.captured = u("captured"); counters.drops = u("drops"); counters.calibrations = u("calibrations")
        counters.lastScore = Float(json["last_score"]?.doubleValue ?? 0)
        counters.notLocated = u("not_located")
        self.init(state: state, detail: json["detail"]?.stringValue ?? "", counters: counters,
                  latencyP50Ms: json["latency_p50_ms"]?.doubleValue, latencyP99Ms: json["latency_p99_ms"]?.doubleValue,
                  framesPerSecond: json["fps"]?.doubleValue ?? 0, cameraFramesPerSecond: json["camera_fps"]?.doubleValue ?? 0,
                  threshold: json["threshold"]?.doubleValue.map(Float.init),
                  modelPath: json["model"]?.stringValue ?? "", uptimeSeconds: json["uptime_s"]?.doubleValue ?? 0,
                  cameraReconnects: u("camera_reconnects"), cameraFailures: u("camera_failures"))
        driftWarning = json["drift"]?["warning"]?.boolValue ?? false
        driftReading = json["drift"]?["reading"]?.stringValue
        offset = json["offset"].flatMap(PartOffset.init(json:))
    }

    public func write(to path: String) throws(FileError) {
        try FileIO.writeAtomically(Array((json.serialized + "\n").utf8), to: path)
    }

    public static func read(_ path: String) throws(InspectionError) -> StatusReport {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 1 << 20) } catch { throw .file(error) }
        do { return try StatusReport(json: try JSON.parse(bytes)) } catch let error as JSONError {
            throw .dataset(path: path, reason: "status file is not valid JSON: \(error)")
        } catch let error as InspectionError {
            throw error
        } catch {
            throw .dataset(path: path, reason: "\(error)")
        }
    }

    /// Lines for a person.
    public var text: String {
        func ms(_ x: Double?) -> String { x.map { String(Int(($0 * 10).rounded()) / 10) + "." + String(Int(($0 * 10).rounded()) % 10) + " ms" } ?? "-" }
        let c = counters
        return """
        state        \(detail.isEmpty ? state : detail)
        model        \(modelPath)\(threshold.map { " (threshold \($0))" } ?? "")
        camera       \(c.captured) frames (\(Int(cameraFramesPerSecond.rounded())) fps), \(c.drops) not inspected (samples, not parts)
        parts        \(c.frames) (\(Int(framesPerSecond.rounded())) fps), inspected \(c.inspected)
        verdicts     \(c.passes) passed, \(c.rejects) rejected (\(c.failSafe) by the fail-safe policy, \(c.uninspected) without a model)\(c.missed > 0 ? ", \(c.missed) missed (registered after their pulse start)" : "")
        latency      p50 \(ms(latencyP50Ms)), p99 \(ms(latencyP99Ms)) (capture to verdict)
        last score   \(c.lastScore)
        drift        \(driftWarning ? "WARNING: " : "")\(driftReading ?? "no reading yet")
        position     \(offset.map { "last part \($0.text)\($0.located ? "" : " NOT LOCATED")" } ?? "not registered (model without registration)"), \(c.notLocated) not located
        calibrations \(c.calibrations), camera reconnects \(cameraReconnects), camera failures \(cameraFailures), up \(Int(uptimeSeconds)) s
        """
    }
}
