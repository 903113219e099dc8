import Configuration
import ImageCodec
import Imaging
import Inspection
import LineIO
import Logging
import Platform
import RejectArchive
import Service

/// One request as the server hands it over (already bounded by libmicrohttpd's limits).
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: [UInt8]
    public var token: [UInt8]?
    public var client: String
    public var body: [UInt8]
    public var bodyTooLarge: Bool
    public var headerCount: Int

    public init(method: String, path: [UInt8], token: [UInt8]? = nil, client: String = "127.0.0.1", body: [UInt8] = [],
                bodyTooLarge: Bool = false, headerCount: Int = 1) {
        self.method = method
        self.path = path
        self.token = token
        self.client = client
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.headerCount = headerCount
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var cacheControl = "no-store"

    public init(status: Int, contentType: String, body: [UInt8], cacheControl: String = "no-store") {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.cacheControl = cacheControl
    }

    static func json(_ value: JSON, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: Array((value.serialized + "\n").utf8))
    }

    static func error(_ status: Int, _ message: String) -> HTTPResponse { json(.object(["error": .string(message)]), status: status) }
}

/// The model file work behind the actions (on the HTTP thread, never the inspection's): roll back,
/// or save a new threshold in the model file; the service is then told through its requests.
public struct ModelActions: Sendable {
    public let store: ModelStore
    public let expectation: ModelFile.Expectation

    public init(store: ModelStore, expectation: ModelFile.Expectation) {
        self.store = store
        self.expectation = expectation
    }

    func rollback() throws(InspectionError) -> ModelFile { try store.rollback(expected: expectation) }

    /// Saves `value` as the threshold of the model in use (the replaced file becomes the previous
    /// model, so a rollback undoes it). Refused unless the file is still model `modelID` and the
    /// value is inside the bounds its loader accepts.
    func saveThreshold(_ value: Float, modelID: String) throws(InspectionError) {
        var model = try ModelFile.load(store.path, expected: expectation)
        guard ServiceCore.modelID(of: model) == modelID else {
            throw .model(path: store.path, reason: "the model on disk is no longer the one in use")
        }
        guard let bounds = model.acceptedThresholds, bounds.contains(value) else {
            throw .model(path: store.path, reason: "threshold \(value) is outside what the loader accepts")
        }
        model.threshold = value
        try store.save(model)
    }
}

/// Answers the HMI's requests from the state snapshots. Called only on the server's one thread.
final class HMIHandler {
    let settings: HMISettings
    let token: [UInt8]?
    let state: HMIState
    let archive: RejectArchive?
    let requests: ServiceRequests
    let actions: ModelActions?
    let logger: Logger
    let worker: ActionWorker
    private var limiter: RateLimiter
    private var refusals = RefusalLog()
    private var preprocessor = Preprocessor()
    /// The live heatmap encoded for the part it shows (encoded once, however many clients ask).
    private var liveCache: (part: UInt64, heatmap: [UInt8]?)?
    /// The live frame picture encoded for the view it shows.
    private var frameCache: (number: UInt64, jpeg: [UInt8])?

    init(settings: HMISettings, token: String?, state: HMIState, archive: RejectArchive?, requests: ServiceRequests,
         actions: ModelActions?, logger: Logger, worker: ActionWorker) {
        self.settings = settings
        self.worker = worker
        self.token = token.map { Array($0.utf8) }
        self.state = state
        self.archive = archive
        self.requests = requests
        self.actions = actions
        self.logger = logger
        limiter = RateLimiter(perSecond: settings.requestsPerSecond)
    }

    static let maximumHeaders = 64
    static let maximumPathBytes = 256

    func handle(_ request: HTTPRequest, nowNs: UInt64 = SystemClock.shared.nowNs) -> HTTPResponse {
        let response = route(request, nowNs: nowNs)
        if response.status >= 400 {
            let path = String(decoding: request.path.prefix(80).map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F }, as: UTF8.self)
            let method = String(request.method.prefix(16).map { $0.isASCII && !$0.isWhitespace ? $0 : "?" })
            let reason = String(decoding: response.body.prefix(120), as: UTF8.self).trimmingNewline
            if let line = refusals.line("hmi: \(response.status) \(method) \(path) from \(request.client): \(reason)", nowNs: nowNs) {
                logger.warning("\(line)")
            }
        }
        return response
    }

    private func route(_ request: HTTPRequest, nowNs: UInt64) -> HTTPResponse {
        guard limiter.allow(request.client, nowNs: nowNs) else { return .error(429, "too many requests") }
        guard request.method == "GET" || request.method == "HEAD" || request.method == "POST" else {
            return .error(405, "only GET and POST")
        }
        guard request.headerCount <= Self.maximumHeaders else { return .error(431, "too many headers") }
        guard !request.bodyTooLarge else { return .error(413, "body larger than \(settings.bodyLimitBytes) bytes") }
        guard request.path.count <= Self.maximumPathBytes, request.path.first == 0x2F,
              request.path.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .error(400, "bad path")
        }
        let parts = request.path.split(separator: 0x2F, omittingEmptySubsequences: false).dropFirst().map { String(decoding: $0, as: UTF8.self) }
        if request.method == "POST" {
            guard parts.count == 3, parts[0] == "api", parts[1] == "action" else { return .error(404, "no such action") }
            return action(parts[2], request: request)
        }
        switch parts {
        case [""], ["index.html"]: return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: HMIAssets.html)
        case ["app.js"]: return HTTPResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: HMIAssets.script)
        case ["app.css"]: return HTTPResponse(status: 200, contentType: "text/css; charset=utf-8", body: HMIAssets.style)
        case ["favicon.ico"]: return HTTPResponse(status: 204, contentType: "image/x-icon", body: [], cacheControl: "max-age=86400")
        case ["api", "state"]: return .json(stateJSON())
        case ["api", "parts"]: return .json(partsJSON())
        case ["api", "archive"]: return .json(archiveJSON())
        case ["live", "frame.jpg"]: return liveFrame()
        case ["live", "heatmap.jpg"]: return liveHeatmap()
        default:
            if parts.count == 3, parts[0] == "archive", parts[2] == "region.jpg" || parts[2] == "heatmap.jpg" {
                return archived(id: parts[1], heatmap: parts[2] == "heatmap.jpg")
            }
            return .error(404, "not found")
        }
    }

    // MARK: actions

    private func action(_ name: String, request: HTTPRequest) -> HTTPResponse {
        guard let token else { return .error(403, "read-only: no [hmi] token is configured") }
        guard let presented = request.token, TokenCheck.matches(presented, token) else {
            return .error(401, "wrong or missing token")
        }
        let snapshot = state.snapshot
        let calibrating = ["calibrating", "fitting"].contains(snapshot.status?.state ?? "")
        switch name {
        case "calibrate":
            guard requests.post(.startCalibration) else { return .error(503, "the service has too many requests waiting") }
            return done("calibration start requested from \(request.client)")
        case "cancel":
            guard requests.post(.cancelCalibration) else { return .error(503, "the service has too many requests waiting") }
            return done("calibration cancel requested from \(request.client)")
        case "rollback":
            guard let actions else { return .error(409, "no model store") }
            guard !calibrating else { return .error(409, "calibrating: cancel it first") }
            let (state, requests, logger, client) = (state, requests, logger, request.client)
            return background("rollback requested from \(client)") {
                do {
                    let model = try actions.rollback()
                    guard requests.post(.useModel(model, rollback: true)) else {
                        return Self.finish("rollback written but the service is busy: it is used at the next start", state, logger)
                    }
                    Self.finish("rolled back to the previous model (threshold \(model.threshold)) from \(client)", state, logger)
                } catch {
                    Self.finish("rollback refused: \(error)", state, logger, refused: true)
                }
            }
        case "threshold":
            guard let actions, let model = snapshot.model else { return .error(409, "no model in use") }
            guard !calibrating else { return .error(409, "calibrating: cancel it first") }
            guard let value = Self.number(request.body) else { return .error(400, "body must be value=NUMBER") }
            guard let bounds = model.acceptedThresholds, bounds.contains(value) else {
                let text = model.acceptedThresholds.map { "\($0.lowerBound) ... \($0.upperBound)" } ?? "none recorded"
                return .error(422, "threshold \(value) outside the bounds the model loader accepts (\(text))")
            }
            let (state, requests, logger, client, id, old) = (state, requests, logger, request.client, model.modelID, model.threshold)
            return background("threshold change to \(value) requested from \(client)") {
                do {
                    try actions.saveThreshold(value, modelID: id)
                    guard requests.post(.setThreshold(value, modelID: id)) else {
                        return Self.finish("threshold \(value) saved but the service is busy: it is used at the next start", state, logger)
                    }
                    Self.finish("threshold \(old) -> \(value) saved from \(client)", state, logger)
                } catch {
                    Self.finish("threshold refused: \(error)", state, logger, refused: true)
                }
            }
        default:
            return .error(404, "no such action")
        }
    }

    /// Starts `work` on the action thread; 202 at once (the page shows the outcome from the state).
    private func background(_ text: String, _ work: @escaping @Sendable () -> Void) -> HTTPResponse {
        guard worker.submit(work) else { return .error(409, "another action is still running") }
        logger.notice("hmi: \(text)")
        state.action(text)
        return .json(.object(["ok": .bool(true), "message": .string(text + ": running")]), status: 202)
    }

    /// The outcome of a background action: logged and shown.
    static func finish(_ text: String, _ state: HMIState, _ logger: Logger, refused: Bool = false) {
        if refused { logger.warning("hmi: \(text)") } else { logger.notice("hmi: \(text)") }
        state.action(text)
    }

    private func done(_ text: String) -> HTTPResponse {
        logger.notice("hmi: \(text)")
        state.action(text)
        return .json(.object(["ok": .bool(true), "message": .string(text)]))
    }

    /// "value=1.25" or "1.25": ASCII digits, sign, point, exponent; a finite Float.
    static func number(_ body: [UInt8]) -> Float? {
        var text = body
        if text.starts(with: Array("value=".utf8)) { text.removeFirst(6) }
        while let last = text.last, last == 0x0A || last == 0x0D || last == 0x20 { text.removeLast() }
        guard (1...32).contains(text.count),
              text.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }),
              let value = Float(String(decoding: text, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    // MARK: pages

    private func stateJSON() -> JSON {
        let s = state.snapshot
        var object: [String: JSON] = ["actions": .string(token == nil ? "read-only" : "token"), "parts_seen": .number(Double(s.partsSeen))]
        if let report = s.status {
            let c = report.counters
            let decided = c.passes + c.rejects
            object["state"] = .string(report.state)
            object["detail"] = .string(report.detail)
            object["light"] = .string(Self.light(state: report.state, drift: report.driftWarning))
            object["drift_warning"] = .bool(report.driftWarning)
            object["counters"] = .object([
                "parts": .number(Double(c.frames)), "inspected": .number(Double(c.inspected)), "passes": .number(Double(c.passes)),
                "rejects": .number(Double(c.rejects)), "fail_safe": .number(Double(c.failSafe)),
                "not_inspected": .number(Double(c.uninspected)), "captured": .number(Double(c.captured)),
                "dropped_frames": .number(Double(c.drops)), "calibrations": .number(Double(c.calibrations)),
            ])
            object["yield_percent"] = decided > 0 ? .number((Double(c.passes) / Double(decided) * 1000).rounded() / 10) : .null
            object["latency_p50_ms"] = report.latencyP50Ms.map { .number(($0 * 10).rounded() / 10) } ?? .null
            object["latency_p99_ms"] = report.latencyP99Ms.map { .number(($0 * 10).rounded() / 10) } ?? .null
            object["fps"] = .number((report.framesPerSecond * 10).rounded() / 10)
            object["camera_fps"] = .number((report.cameraFramesPerSecond * 10).rounded() / 10)
            object["uptime_s"] = .number(report.uptimeSeconds.rounded())
        }
        if let model = s.model {
            var m: [String: JSON] = ["id": .string(model.modelID), "threshold": .number(Double(model.threshold)),
                                     "images": .string(model.facts["image_count"] ?? "?"),
                                     "rule": .string(model.facts["threshold_rule"] ?? "")]
            if let bounds = model.acceptedThresholds {
                m["min_threshold"] = .number(Double(bounds.lowerBound))
                m["max_threshold"] = .number(Double(bounds.upperBound))
            }
            object["model"] = .object(m)
        }
        if let live = s.live {
            object["live"] = .object(["part": .number(Double(live.record.part)), "score": live.record.score.map { .number(Double($0)) } ?? .null,
                                      "verdict": .string(Self.verdictName(live.record.verdict)),
                                      "heatmap": .bool(live.image.map != nil), "offset": live.record.offset.map(\.json) ?? .null])
        }
        if let view = s.view {
            object["view"] = .object(["number": .number(Double(view.number)), "part": view.part.map { .number(Double($0.record.part)) } ?? .null,
                                      "width": .number(Double(view.overview.image.width)), "height": .number(Double(view.overview.image.height)),
                                      "step": .number(Double(view.overview.step))])
        }
        if let archive {
            let f = archive.figures
            object["archive"] = .object(["records": .number(Double(f.records)), "bytes": .number(Double(f.bytes)),
                                         "written": .number(Double(f.written)), "dropped": .number(Double(f.dropped)),
                                         "failures": .number(Double(f.failures))])
        }
        object["events"] = .array(s.events.reversed().map { .object(["time": .string(WallClock.iso8601(ms: $0.ms)), "text": .string($0.text)]) })
        object["last_action"] = s.lastAction.map { .string($0) } ?? .null
        return .object(object)
    }

    private func partsJSON() -> JSON {
        let s = state.snapshot
        return .object([
            "threshold": s.model.map { .number(Double($0.threshold)) } ?? .null,
            "held_out": .array((s.model?.heldOutScores ?? []).map { .number(Double($0)) }),
            "recent": .array(s.recent.map { r in
                .object(["part": .number(Double(r.part)), "score": .number(Double(r.score)), "rejected": .bool(r.rejected),
                         "latency_ms": r.latencyMs.map { .number($0) } ?? .null])
            }),
        ])
    }

    private func archiveJSON() -> JSON {
        guard let archive else { return .object(["records": .array([]), "enabled": .bool(false)]) }
        return .object(["enabled": .bool(true), "records": .array(archive.recent.suffix(60).reversed().map(\.json))])
    }

    /// The newest inspected part's view with its heatmap (encoded once per part).
    private func liveHeatmap() -> HTTPResponse {
        guard let live = state.snapshot.live else { return .error(404, "no part seen yet") }
        if liveCache?.part != live.record.part {
            let overlay = RejectArchive.heatmapView(live.image, threshold: live.record.threshold, preprocessor: &preprocessor)
            do {
                liveCache = (live.record.part, try overlay.map { image throws(ImageCodecError) in try JPEGEncoder.encode(image, quality: 80) })
            } catch {
                return .error(500, "\(error)")
            }
        }
        guard let bytes = liveCache?.heatmap else { return .error(404, "the last part was not inspected: no heatmap") }
        return HTTPResponse(status: 200, contentType: "image/jpeg", body: bytes)
    }

    /// The newest frame with the region outlined and its part's heatmap (encoded once per frame).
    private func liveFrame() -> HTTPResponse {
        guard let view = state.snapshot.view else { return .error(404, "no frame yet") }
        if frameCache?.number != view.number {
            let part = view.part
            let picture = LiveFrame.compose(view.overview, verdict: part?.record.verdict, map: part?.image.map,
                                            mapSize: part?.image.mapSize ?? 0, threshold: part?.record.threshold)
            do { frameCache = (view.number, try JPEGEncoder.encode(picture, quality: 80)) } catch { return .error(500, "\(error)") }
        }
        return HTTPResponse(status: 200, contentType: "image/jpeg", body: frameCache!.jpeg)
    }

    private func archived(id text: String, heatmap: Bool) -> HTTPResponse {
        guard let archive else { return .error(404, "no archive") }
        guard (1...12).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = UInt64(text) else {
            return .error(404, "no such record")
        }
        do {
            let record = try RejectArchiveStore.readRecord(folder: archive.settings.folder, id: id)
            let bytes = heatmap ? record.heatmap : record.region
            guard !bytes.isEmpty else { return .error(404, "record \(id) has no heatmap (not inspected)") }
            return HTTPResponse(status: 200, contentType: "image/jpeg", body: Array(bytes), cacheControl: "private, max-age=3600")
        } catch {
            return .error(404, "no such record")
        }
    }

    static func verdictName(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: "pass"
        case .reject: "reject"
        case .inspectionFailed: "fail-safe"
        }
    }

    /// The status light's pattern for a state (board/README.md's table).
    static func light(state: String, drift: Bool) -> String {
        switch state {
        case "inspecting": drift ? "on, 200 ms off every 2 s (drift warning)" : "steady on (ready)"
        case "no-model": "slow blink (no model yet)"
        case "calibrating", "fitting": "fast blink (calibrating)"
        case "fault": "double blink (fault)"
        default: "off"
        }
    }
}

extension String {
    var trimmingNewline: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
