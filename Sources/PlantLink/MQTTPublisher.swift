import Configuration
import Logging
import Platform
import Service
import Synchronization
import SystemPackage

/// The plant link: a `ResultSink` whose calls only append to an in-memory hand-off under a lock
/// and signal a wakeup (the inspection never waits for a disk or a socket); its own thread writes
/// each message to the `DiskQueue`, keeps one libmosquitto connection (backoff on reconnect,
/// birth and will on `<prefix>/online`), sends the queue in order with up to `window` messages in
/// flight, and removes each message when the broker acknowledged it.
public final class MQTTPublisher: ResultSink {
    enum Outgoing: Sendable {
        case part(PartRecord, captureMs: Int64)
        case status(StatusReport, ms: Int64)
        case event(ServiceEvent, ms: Int64)
    }

    /// What the publisher thread reports, for tests and the status.
    public struct Figures: Sendable, Equatable {
        public var connected = false
        public var connections: UInt64 = 0
        public var queued = 0
        /// Messages removed beyond the queue's bounds (and hand-off overflows).
        public var dropped: UInt64 = 0
        public var sent: UInt64 = 0
        public var acknowledged: UInt64 = 0
        public var lastProblem: String?
    }

    /// Most messages waiting in memory for the publisher thread (it writes them to disk at once;
    /// this bound only matters if the disk stalls).
    static let handoffLimit = 10_000
    /// Messages in flight (published, not yet acknowledged).
    static let window = 20

    public let settings: MQTTSettings
    let logger: Logger
    private let handoff = Mutex<(items: [Outgoing], dropped: UInt64)>(([], 0))
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let lastStatusNs = Atomic<UInt64>(0)
    private let figures = Mutex(Figures())
    /// Set in init and cleared by `stop`, both on the owner's thread (never by the publisher thread).
    nonisolated(unsafe) private var thread: PosixThread?

    /// Opens the queue (recovering what a previous run left) and starts the thread.
    public init(settings: MQTTSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let queue = try DiskQueue(folder: settings.queueFolder, maxMessages: settings.queueMaxMessages, maxBytes: settings.queueMaxBytes)
        if queue.count > 0 { logger.notice("mqtt: \(queue.count) messages from an earlier run wait in \(settings.queueFolder); they go first") }
        if queue.corrupt > 0 { logger.warning("mqtt: removed \(queue.corrupt) unreadable files from \(settings.queueFolder)") }
        let box = QueueBox(queue)
        let started = try PosixThread { [self] in
            let worker = PublisherWorker(publisher: self, queue: box.take())
            worker.run()
        }
        thread = started
    }

    // MARK: ResultSink (inspection thread: lock, append, signal)

    public func part(_ record: PartRecord) {
        enqueue(.part(record, captureMs: PlantMessages.wallMs(monotonicNs: record.captureNs)))
    }

    public func status(_ report: StatusReport) {
        let now = SystemClock.shared.nowNs
        let last = lastStatusNs.load(ordering: .relaxed)
        guard last == 0 || now &- last >= settings.statusInterval.nanoseconds else { return }
        lastStatusNs.store(now, ordering: .relaxed)
        enqueue(.status(report, ms: PlantMessages.wallNowMs()))
    }

    public func event(_ event: ServiceEvent, atNs: UInt64) {
        enqueue(.event(event, ms: PlantMessages.wallMs(monotonicNs: atNs)))
    }

    private func enqueue(_ item: Outgoing) {
        handoff.withLock { slot in
            if slot.items.count >= Self.handoffLimit { slot.items.removeFirst(); slot.dropped += 1 }
            slot.items.append(item)
        }
        wakeup.signal()
    }

    /// Stops the thread: it sends what it can for up to `flush` while connected, publishes the
    /// offline message, disconnects; what is left stays queued on disk for the next start.
    public func stop(flush: Duration = .seconds(2)) {
        stopDeadlineNs.store(SystemClock.shared.nowNs &+ flush.nanoseconds, ordering: .relaxed)
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        thread?.join()
        thread = nil
    }

    private let stopDeadlineNs = Atomic<UInt64>(0)

    public var currentFigures: Figures { figures.withLock { $0 } }

    /// Waits (test helper) until `condition` holds for the figures, up to `timeout`.
    public func wait(for timeout: Duration, until condition: (Figures) -> Bool) -> Bool {
        let deadline = SystemClock.shared.nowNs &+ timeout.nanoseconds
        while SystemClock.shared.nowNs < deadline {
            if condition(currentFigures) { return true }
            SystemClock.shared.sleep(for: .milliseconds(10))
        }
        return condition(currentFigures)
    }

    // MARK: for the worker

    func takeHandoff() -> (items: [Outgoing], dropped: UInt64) {
        handoff.withLock { slot in
            defer { slot = ([], 0) }
            return slot
        }
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }
    var stopDeadline: UInt64 { stopDeadlineNs.load(ordering: .relaxed) }
    func wait(untilNs: UInt64) { wakeup.wait(untilNs: untilNs) }
    func update(_ change: (inout Figures) -> Void) { figures.withLock { change(&$0) } }
}

/// Hands the queue, made on the caller's thread, to the publisher thread (which alone uses it).
private final class QueueBox: @unchecked Sendable {
    // @unchecked: the queue is moved once, before the thread that takes it starts using it.
    private var queue: DiskQueue?
    init(_ queue: DiskQueue) { self.queue = queue }
    func take() -> DiskQueue { defer { queue = nil }; return queue! }
}

/// The publisher thread's state: the queue, the connection, the messages in flight.
final class PublisherWorker {
    let publisher: MQTTPublisher
    let settings: MQTTSettings
    let queue: DiskQueue
    let logger: Logger
    let topics: (part: String, status: String, event: String, online: String)
    private var client: MQTTClient?
    private var connected = false
    private var connectStartedNs: UInt64 = 0
    private var nextAttemptNs: UInt64 = 0
    private var backoffNs: UInt64
    /// mid -> seq of the messages in flight; `cursor` = how many queued messages were sent.
    private var inFlight: [Int32: UInt64] = [:]
    private var cursor = 0
    private var lastProblem: String?
    private var handoffDropped: UInt64 = 0
    private var loggedDrops: UInt64 = 0
    private var lastDropLogNs: UInt64 = 0
    private var writeFailureLogged = false
    static let connackTimeoutNs: UInt64 = 10_000_000_000
    private lazy var modelHistory = ModelHistory(path: settings.queueFolder + "/models")

    init(publisher: MQTTPublisher, queue: DiskQueue) {
        self.publisher = publisher
        settings = publisher.settings
        self.queue = queue
        logger = publisher.logger
        let p = settings.topicPrefix
        topics = (p + "/part", p + "/status", p + "/event", p + "/online")
        backoffNs = settings.reconnectInitial.nanoseconds
    }

    func run() {
        let clock = SystemClock.shared
        while true {
            let now = clock.nowNs
            drainHandoff()
            if publisher.isStopping {
                if !connected || queue.count == 0 && inFlight.isEmpty || now >= publisher.stopDeadline { break }
            }
            if client == nil, now >= nextAttemptNs { startConnection(now: now) }
            if let client {
                do {
                    if connected { sendWindow(client) }
                    try client.loop(timeoutMs: connected && cursor < queue.count && inFlight.count < MQTTPublisher.window ? 0 : 5)
                } catch {
                    if !connected, let code = client.connack, code != 0 {
                        refused(code, now: clock.nowNs)
                    } else if !connected {
                        cannotConnect(error, now: clock.nowNs)
                    } else {
                        lost("\(error)", now: clock.nowNs)
                    }
                    continue
                }
                if !connected {
                    if let code = client.connack {
                        if code == 0 {
                            connectedNow()
                        } else {
                            refused(code, now: clock.nowNs)
                        }
                    } else if clock.nowNs &- connectStartedNs > Self.connackTimeoutNs {
                        problem("broker \(settings.host):\(settings.port) did not answer the connection in 10 s; messages wait in \(settings.queueFolder)")
                        dropConnection(now: clock.nowNs)
                    }
                } else {
                    if client.takeDisconnect() { lost("connection closed by the broker", now: clock.nowNs); continue }
                    acknowledge(client.takeAcks())
                }
            } else {
                publisher.wait(untilNs: min(nextAttemptNs, clock.nowNs &+ 50_000_000))
            }
            publishFigures()
        }
        if let client, connected {
            let offline = Array(PlantMessages.offline(station: settings.station, reason: "stopped").serialized.utf8)
            _ = try? client.publish(topic: topics.online, payload: offline, qos: settings.qos, retain: true)
            for _ in 0..<20 { try? client.loop(timeoutMs: 10) }
            acknowledge(client.takeAcks())
            client.disconnect()
            for _ in 0..<5 { try? client.loop(timeoutMs: 10) }
        }
        client = nil
        connected = false
        publishFigures()
        if queue.count > 0 { logger.notice("mqtt: \(queue.count) messages stay queued in \(settings.queueFolder) for the next start") }
    }

    /// Hand-off to disk, in order.
    private func drainHandoff() {
        let (items, dropped) = publisher.takeHandoff()
        handoffDropped += dropped
        let station = settings.station
        for item in items {
            do {
                switch item {
                case .part(let record, let ms):
                    _ = try queue.append(topic: topics.part) { Array(PlantMessages.part(record, captureMs: ms, station: station, seq: $0).serialized.utf8) }
                case .status(let report, let ms):
                    let queued = queue.count, dropped = queue.dropped + handoffDropped
                    _ = try queue.append(topic: topics.status) {
                        Array(PlantMessages.status(report, ms: ms, station: station, seq: $0, queued: queued, dropped: dropped).serialized.utf8)
                    }
                case .event(let event, let ms):
                    _ = try queue.append(topic: topics.event) { Array(PlantMessages.event(event, ms: ms, station: station, seq: $0).serialized.utf8) }
                    noteDrops()
                    if let rollback = modelHistory.note(event) {
                        _ = try queue.append(topic: topics.event) { Array(PlantMessages.event(rollback, ms: ms, station: station, seq: $0).serialized.utf8) }
                    }
                }
                noteDrops()
                writeFailureLogged = false
            } catch {
                handoffDropped += 1
                if !writeFailureLogged { logger.error("mqtt: cannot queue a message: \(error); it is dropped (counted)") }
                writeFailureLogged = true
            }
        }
        let totalDropped = queue.dropped + handoffDropped
        let now = SystemClock.shared.nowNs
        if totalDropped > loggedDrops, now &- lastDropLogNs > 60_000_000_000 || loggedDrops == 0 {
            logger.warning("mqtt: queue full (\(settings.queueMaxMessages) messages / \(settings.queueMaxBytes >> 20) MiB): \(totalDropped - loggedDrops) oldest messages dropped (\(totalDropped) in all)")
            loggedDrops = totalDropped
            lastDropLogNs = now
        }
    }

    /// The oldest messages dropped beyond the bounds may have been sent already: the cursor counts
    /// sent messages from the head of the queue.
    private func noteDrops() {
        cursor = max(0, cursor - queue.droppedByLastAppend)
    }

    private func startConnection(now: UInt64) {
        do {
            let client = try MQTTClient(clientID: settings.clientID)
            if let username = settings.username { try client.setCredentials(username: username, password: settings.password) }
            if let ca = settings.caFile { try client.setTLS(caFile: ca, certFile: settings.certFile, keyFile: settings.keyFile) }
            let will = Array(PlantMessages.offline(station: settings.station, reason: "connection lost").serialized.utf8)
            try client.setWill(topic: topics.online, payload: will, qos: settings.qos, retain: true)
            try client.connect(host: settings.host, port: settings.port, keepAlive: settings.keepAliveSeconds)
            self.client = client
            connectStartedNs = now
        } catch {
            cannotConnect(error, now: now)
        }
    }

    private func connectedNow() {
        guard let client else { return }
        connected = true
        backoffNs = settings.reconnectInitial.nanoseconds
        inFlight = [:]
        cursor = 0
        let birth = Array(PlantMessages.birth(station: settings.station, clientID: settings.clientID, ms: PlantMessages.wallNowMs()).serialized.utf8)
        _ = try? client.publish(topic: topics.online, payload: birth, qos: settings.qos, retain: true)
        logger.notice("mqtt: connected to \(settings.host):\(settings.port)\(settings.caFile != nil ? " (TLS)" : ""); \(queue.count) queued messages to send")
        lastProblem = nil
        publisher.update { $0.connections += 1; $0.lastProblem = nil }
    }

    /// Publishes queued messages after the cursor while the window has room.
    private func sendWindow(_ client: MQTTClient) {
        while inFlight.count < MQTTPublisher.window, cursor < queue.count {
            guard let message = queue.message(at: cursor) else { break }
            if message.topic.isEmpty {  // unreadable file: nothing to send
                queue.remove(message.seq)
                continue
            }
            do {
                let mid = try client.publish(topic: message.topic, payload: message.payload, qos: settings.qos, retain: false)
                inFlight[mid] = message.seq
                cursor += 1
                publisher.update { $0.sent += 1 }
            } catch {
                break  // the loop call reports the lost connection
            }
        }
    }

    private func acknowledge(_ mids: [Int32]) {
        var count: UInt64 = 0
        for mid in mids {
            guard let seq = inFlight.removeValue(forKey: mid) else { continue }  // the birth message
            if queue.remove(seq) { cursor -= 1 }
            count += 1
        }
        if count > 0 { publisher.update { $0.acknowledged += count } }
    }

    /// Set-up, TCP or TLS failure before the broker accepted the connection: one line per distinct cause.
    private func cannotConnect(_ error: MQTTClient.Failure, now: UInt64) {
        let tlsHint = settings.caFile != nil && error.reason.contains("TLS") ? " (is ca_file the CA that signed the broker's certificate, and cert_file/key_file a pair?)" : ""
        problem("cannot connect to the broker \(settings.host):\(settings.port): \(error.reason)\(tlsHint); inspection goes on, messages wait in \(settings.queueFolder), retrying with backoff")
        dropConnection(now: now)
    }

    private func refused(_ code: Int32, now: UInt64) {
        problem("broker \(settings.host):\(settings.port) refused the connection: \(MQTTClient.connackText(code)) (check [mqtt] username, password and client_id); inspection goes on, messages wait in \(settings.queueFolder)")
        dropConnection(now: now)
    }

    private func lost(_ reason: String, now: UInt64) {
        problem("connection to \(settings.host):\(settings.port) lost (\(reason)); messages wait in \(settings.queueFolder), reconnecting with backoff")
        dropConnection(now: now)
    }

    private func dropConnection(now: UInt64) {
        guard client != nil || connected else { scheduleRetry(now: now); return }
        client = nil  // deinit: disconnect and destroy; unacknowledged messages are sent again
        connected = false
        inFlight = [:]
        cursor = 0
        scheduleRetry(now: now)
    }

    private func scheduleRetry(now: UInt64) {
        nextAttemptNs = now &+ backoffNs
        backoffNs = min(backoffNs * 2, settings.reconnectMax.nanoseconds)
    }

    /// One log line per distinct problem (not one per retry).
    private func problem(_ text: String) {
        if text != lastProblem { logger.error("mqtt: \(text)") }
        lastProblem = text
        publisher.update { $0.lastProblem = text }
    }

    private func publishFigures() {
        let connected = self.connected, queued = queue.count, dropped = queue.dropped + handoffDropped
        publisher.update { $0.connected = connected; $0.queued = queued; $0.dropped = dropped }
    }
}
