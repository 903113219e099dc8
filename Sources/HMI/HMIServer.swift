import CMicroHTTPD
import Capture
import Configuration
import Glibc
import Logging
import Platform
import RejectArchive
import Service

/// Why the HMI could not start; one line.
public struct HMIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The operator's web page: libmicrohttpd on its own thread (limits as its options; SCHED_IDLE,
/// so it takes no CPU time an inspection thread wants), answering
/// from snapshots the service leaves through the `ResultSink` calls (a short lock, never one the
/// inspection or the line I/O needs). The newest part's pictures are taken at most 5 times a
/// second and encoded to JPEG on the HTTP thread when a client asks. Actions go to the service
/// as `ServiceRequest`s, which the inspection thread takes on its next turn, like a button press.
public final class HMIServer: ResultSink {
    /// How often the live view gets a new picture: the runner's `overviewEvery` when an HMI is on.
    public static let liveInterval = Duration.milliseconds(200)

    public let settings: HMISettings
    let state: HMIState
    private let box: HandlerBox
    private let worker = ActionWorker()
    /// The libmicrohttpd server; set in start, cleared in stop, both on the owner's thread.
    nonisolated(unsafe) private var server: UnsafeMutableRawPointer?
    nonisolated(unsafe) private var context: Unmanaged<HandlerBox>?
    /// The port listened on (the configured one, or the one the system chose for port 0).
    nonisolated(unsafe) public private(set) var boundPort = 0

    /// `token` is the configured one (nil: read-only); see `token(for:)`.
    public init(settings: HMISettings, token: String?, archive: RejectArchive?, requests: ServiceRequests,
                actions: ModelActions?, logger: Logger) {
        self.settings = settings
        state = HMIState(liveIntervalNs: Self.liveInterval.nanoseconds)
        box = HandlerBox(HMIHandler(settings: settings, token: token, state: state, archive: archive, requests: requests,
                                    actions: actions, logger: logger, worker: worker))
    }

    /// The token of the settings: written in the file, or the first line of token_file.
    public static func token(for settings: HMISettings) throws(HMIError) -> String? {
        if let token = settings.token { return token }
        guard let path = settings.tokenFile else { return nil }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 4096) } catch { throw HMIError("[hmi] token_file: \(error)") }
        let line = String(decoding: bytes.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        guard HMISettings.isAcceptableToken(line) else {
            throw HMIError("\(path): the first line must be the token, 12 to 256 printable ASCII characters without spaces")
        }
        return line
    }

    /// Starts listening; returns the port bound.
    @discardableResult
    public func start() throws(HMIError) -> Int {
        do { try worker.start() } catch { throw HMIError("hmi: cannot start the action thread: \(error)") }
        var message = [CChar](repeating: 0, count: 256)
        let box = Unmanaged.passRetained(self.box)
        var options = ls_http_options()
        let started: UnsafeMutableRawPointer? = settings.host.withCString { address in
            options.address = address
            options.port = UInt16(settings.port)
            options.connection_limit = UInt32(settings.maxConnections)
            options.per_ip_connection_limit = UInt32(settings.maxConnectionsPerIP)
            options.memory_limit = settings.headerLimitBytes
            options.timeout_seconds = UInt32(settings.timeoutSeconds)
            options.body_limit = settings.bodyLimitBytes
            return message.withUnsafeMutableBufferPointer { text in
                ls_http_start(&options, hmiHandle, hmiLog, box.toOpaque(), text.baseAddress, text.count)
            }
        }
        guard let started else {
            box.release()
            worker.stop()
            throw HMIError("hmi: " + message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        server = started
        context = box
        boundPort = Int(ls_http_port(started))
        return boundPort
    }

    public func stop() {
        if let server { ls_http_stop(server) }
        worker.stop()
        server = nil
        context?.release()
        context = nil
    }

    deinit { stop() }

    /// Answers one request without the network (tests; not while the server runs).
    public func respond(_ request: HTTPRequest) -> HTTPResponse { box.handler.handle(request) }

    // MARK: ResultSink (inspection thread: a short lock each)

    public func part(_ record: PartRecord) { state.part(record) }

    /// The live pictures come with the frames the capture gives an overview (`wantsFrames`); a
    /// part's region alone only when no picture came for a second (a runner without overviews).
    public func wantsImage(for record: PartRecord) -> Bool {
        SystemClock.shared.nowNs &- state.lastLiveNs.load(ordering: .relaxed) >= 5 * state.liveIntervalNs
    }

    public var wantsFrames: Bool { true }

    public func part(_ record: PartRecord, image: PartImage) {
        state.part(record)
        state.live(record, image: image, nowNs: SystemClock.shared.nowNs)
    }

    public func frame(_ overview: FrameOverview, captureNs: UInt64) { state.frame(overview) }

    public func status(_ report: StatusReport) { state.status(report) }
    public func model(_ model: ModelInUse) { state.model(model) }

    public func event(_ event: ServiceEvent, atNs: UInt64) {
        let text: String
        switch event {
        case .modelLoaded(let id, let threshold): text = "model \(id) loaded (threshold \(threshold))"
        case .calibrationStarted(let frames): text = "calibration started (\(frames) parts)"
        case .calibrationFinished(let outcome, _, let threshold): text = "calibration \(outcome)\(threshold.map { " (threshold \($0))" } ?? "")"
        case .modelSwapped(let id, let threshold): text = "model \(id) in use (threshold \(threshold))"
        case .rollback(let id): text = "rolled back to model \(id)"
        case .fault(let reason): text = "fault: \(reason)"
        case .faultCleared(let next): text = "fault cleared (\(next))"
        case .drift(let active, let reading): text = active ? "drift warning: \(reading.text)" : "drift warning cleared"
        }
        state.event(text)
    }
}

/// The handler behind the C callback's context pointer. Only the server's one thread calls it.
final class HandlerBox: @unchecked Sendable {
    // @unchecked: libmicrohttpd runs one internal polling thread; it alone calls `handler` and
    // touches `threadLowered`.
    let handler: HMIHandler
    /// The HTTP thread has put itself in SCHED_IDLE (on its first request: libmicrohttpd starts
    /// the thread itself and offers no hook at its start).
    var threadLowered = false
    init(_ handler: HMIHandler) { self.handler = handler }
}

private func hmiHandle(_ context: UnsafeMutableRawPointer?, _ raw: UnsafePointer<ls_http_request>?, _ reply: OpaquePointer?) {
    guard let context, let raw, let reply else { return }
    let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
    if !box.threadLowered {
        box.threadLowered = true
        PosixThread.runCurrentThreadOnlyWhenIdle()  // a page may wait; a verdict may not
    }
    let r = raw.pointee
    func bytes(_ text: UnsafePointer<CChar>?, limit: Int) -> [UInt8]? {
        guard let text else { return nil }
        return Array(UnsafeRawBufferPointer(start: text, count: min(strlen(text), limit)))
    }
    let request = HTTPRequest(
        method: String(decoding: bytes(r.method, limit: 32) ?? [], as: UTF8.self),
        path: bytes(r.path, limit: HMIHandler.maximumPathBytes + 1) ?? [],
        token: bytes(r.token, limit: 1024),
        client: r.client.map { String(cString: $0) } ?? "?",
        body: r.body.map { Array(UnsafeBufferPointer(start: $0, count: r.body_size)) } ?? [],
        bodyTooLarge: r.body_too_large != 0, headerCount: Int(r.header_count))
    let response = box.handler.handle(request)
    response.body.withUnsafeBufferPointer { body in
        ls_http_reply_set(reply, Int32(response.status), response.contentType, body.baseAddress, body.count, response.cacheControl)
    }
}

private func hmiLog(_ context: UnsafeMutableRawPointer?, _ line: UnsafePointer<CChar>?) {
    guard let context, let line else { return }
    let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
    box.handler.logger.warning("hmi: libmicrohttpd: \(String(cString: line))")
}
