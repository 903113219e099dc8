import Configuration
import Glibc
import LineIO
import Logging
import PlantLink
import Platform
import Service
import Synchronization
import Testing

/// A log handler that keeps every line (the wrong-password test counts them).
final class CollectingLog: LogHandler, @unchecked Sendable {
    // @unchecked: `lines` is behind a Mutex; metadata and level are set once before use.
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
    var logger: Logger { Logger(label: "test") { _ in self } }
}

func record(_ part: Int) -> PartRecord {
    PartRecord(part: UInt64(part), sequence: UInt32(part), captureNs: SystemClock.shared.nowNs, score: 1.25, threshold: 3,
               verdict: part % 10 == 3 ? .reject : .pass, reason: "score", modelID: "0123456789abcdef", latencyNs: 2_000_000)
}

func percentile(_ values: [UInt64], _ q: Double) -> UInt64 {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
}

func settings(_ broker: Broker, queue: String, prefix: String, _ change: (inout MQTTSettings) -> Void = { _ in }) -> MQTTSettings {
    var s = MQTTSettings(host: "127.0.0.1", port: broker.port, station: "test", clientID: "lineside-\(prefix)",
                         topicPrefix: "lineside/\(prefix)", keepAliveSeconds: 5, queueFolder: queue,
                         reconnectInitial: .milliseconds(100), reconnectMax: .seconds(2))
    change(&s)
    return s
}

/// The probe executable beside the test bundle (built by `swift build --build-tests`).
func probePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let exe = String(decoding: buffer[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var directory = exe
    while let slash = directory.lastIndex(of: "/") {
        directory = String(directory[..<slash])
        if access(directory + "/plantlink-probe", X_OK) == 0 { return directory + "/plantlink-probe" }
    }
    return "plantlink-probe"
}

@Suite(.serialized) struct BrokerTests {
    @Test func tenThousandPartsArriveInOrderNoneLost() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("10k")
        defer { Directory.removeTree(folder) }
        let broker = try Broker(folder: folder)
        try broker.start()
        defer { broker.stop() }
        let subscriber = try Subscriber(broker: broker, topic: "lineside/tenk/#", id: "sub-tenk")
        defer { subscriber.stop() }
        let publisher = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue", prefix: "tenk"), logger: Logger(label: "t"))
        let start = SystemClock.shared.nowNs
        var calls: [UInt64] = []
        for part in 0..<10_000 {
            let t0 = SystemClock.shared.nowNs
            publisher.part(record(part))
            calls.append(SystemClock.shared.nowNs &- t0)
        }
        let parts = subscriber.waitFor(10_000, suffix: "/part", timeout: .seconds(120))
        let seconds = Double(SystemClock.shared.nowNs &- start) / 1e9
        publisher.stop()
        let delivery = Delivery(parts, expected: Array(0..<10_000))
        print("PlantLinkTests 10k: \(delivery) in \(seconds) s; part() call p50 \(Double(percentile(calls, 0.5)) / 1e3) us, p99 \(Double(percentile(calls, 0.99)) / 1e3) us, longest \(Double(calls.max()!) / 1e3) us; \(publisher.currentFigures)")
        #expect(delivery.lost == 0)
        #expect(delivery.distinct == 10_000)
        #expect(delivery.inOrder)
        #expect(publisher.currentFigures.queued == 0)
        #expect(subscriber.messages(suffix: "/online").first?["online"]?.boolValue == true)
        // Every part message has the documented fields.
        let first = try #require(parts.first)
        for key in ["schema", "type", "seq", "station", "part", "frame", "capture_time", "unix_ms", "score", "threshold", "verdict",
                    "reason", "model_id", "latency_ms"] {
            #expect(first[key] != nil, "part message lacks \(key)")
        }
    }

    @Test func brokerStoppedThirtySecondsMidStreamEveryMessageArrivesInOrder() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("outage")
        defer { Directory.removeTree(folder) }
        let broker = try Broker(folder: folder)
        try broker.start()
        let subscriber = try Subscriber(broker: broker, topic: "lineside/outage/#", id: "sub-outage")
        let log = CollectingLog()
        let publisher = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue", prefix: "outage"), logger: log.logger)
        for part in 0..<1000 { publisher.part(record(part)) }
        #expect(subscriber.waitFor(1000, suffix: "/part", timeout: .seconds(30)).count >= 1000)
        broker.stop()
        // 30 s without a broker while the line goes on: 1500 parts, 50 per second.
        let outageStart = SystemClock.shared.nowNs
        var part = 1000
        while SystemClock.shared.nowNs &- outageStart < 30_000_000_000 {
            for _ in 0..<5 { publisher.part(record(part)); part += 1 }
            SystemClock.shared.sleep(for: .milliseconds(100))
        }
        let queuedDuringOutage = publisher.currentFigures.queued
        try broker.start()
        for _ in 0..<500 { publisher.part(record(part)); part += 1 }
        let total = part
        let parts = subscriber.waitFor(total, suffix: "/part", timeout: .seconds(60))
        publisher.stop()
        subscriber.stop()
        broker.stop()
        let delivery = Delivery(parts, expected: Array(0..<total))
        let mqttLines = log.lines.withLock { $0 }.filter { $0.contains("mqtt:") }
        print("PlantLinkTests outage: \(total) parts sent, \(queuedDuringOutage) queued at the end of the 30 s outage; \(delivery); connections \(publisher.currentFigures.connections); log: \(mqttLines)")
        #expect(queuedDuringOutage >= 1400)
        #expect(delivery.lost == 0)
        #expect(delivery.inOrder)
        #expect(publisher.currentFigures.connections >= 2)
    }

    @Test func killNineWithMessagesQueuedTheyArriveAfterTheRestart() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("kill9")
        defer { Directory.removeTree(folder) }
        let broker = try Broker(folder: folder)  // not started yet: the probe queues everything
        let queue = folder + "/queue"
        let common = ["--port", String(broker.port), "--queue", queue, "--prefix", "lineside/kill9"]
        let first = try Child(probePath(), common + ["--count", "500", "--hold"], output: folder + "/probe1.out")
        let deadline = SystemClock.shared.nowNs &+ 30_000_000_000
        while !first.text.contains("queued 500"), SystemClock.shared.nowNs < deadline { SystemClock.shared.sleep(for: .milliseconds(20)) }
        #expect(first.text.contains("queued 500"), "probe: \(first.text)")
        first.signal(SIGKILL)
        first.wait()
        let files = try Directory.entries(queue).filter { $0.hasSuffix(".msg") }.count
        try broker.start()
        defer { broker.stop() }
        let subscriber = try Subscriber(broker: broker, topic: "lineside/kill9/#", id: "sub-kill9")
        defer { subscriber.stop() }
        let second = try Child(probePath(), common + ["--count", "0", "--timeout", "30"], output: folder + "/probe2.out")
        let status = second.wait(timeout: .seconds(40))
        let parts = subscriber.waitFor(500, suffix: "/part", timeout: .seconds(10))
        let delivery = Delivery(parts, expected: Array(0..<500))
        print("PlantLinkTests kill -9: \(files) message files on disk after kill -9; after the restart \(delivery); probe: \(second.text.split(separator: "\n").last ?? "")")
        #expect(files == 500)
        #expect(status == 0)
        #expect(delivery.lost == 0)
        #expect(delivery.inOrder)
    }

    @Test func subscriberSeesBirthAndWill() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("will")
        defer { Directory.removeTree(folder) }
        let broker = try Broker(folder: folder)
        try broker.start()
        defer { broker.stop() }
        let subscriber = try Subscriber(broker: broker, topic: "lineside/will/online", id: "sub-will")
        defer { subscriber.stop() }
        let probe = try Child(probePath(), ["--port", String(broker.port), "--queue", folder + "/queue", "--prefix", "lineside/will",
                                            "--count", "1", "--hold", "--wait-connected", "1"], output: folder + "/probe.out")
        let deadline = SystemClock.shared.nowNs &+ 20_000_000_000
        while !probe.text.contains("connected"), SystemClock.shared.nowNs < deadline { SystemClock.shared.sleep(for: .milliseconds(20)) }
        let birth = subscriber.waitFor(1, suffix: "/online", timeout: .seconds(10))
        probe.signal(SIGKILL)  // no DISCONNECT: the broker publishes the will
        probe.wait()
        let both = subscriber.waitFor(2, suffix: "/online", timeout: .seconds(15))
        print("PlantLinkTests birth/will: \(both.map(\.serialized))")
        #expect(birth.first?["type"]?.stringValue == "birth")
        #expect(birth.first?["online"]?.boolValue == true)
        #expect(both.count == 2)
        #expect(both.last?["type"]?.stringValue == "will")
        #expect(both.last?["online"]?.boolValue == false)
        // Retained: a subscriber that comes later sees the last word (offline).
        let late = try Subscriber(broker: broker, topic: "lineside/will/online", id: "sub-late")
        defer { late.stop() }
        #expect(late.waitFor(1, suffix: "/online", timeout: .seconds(5)).first?["online"]?.boolValue == false)
    }

    @Test func tlsWithATestCA() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("tls")
        defer { Directory.removeTree(folder) }
        let ssl = "/usr/bin/openssl"
        try runTool(ssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=lineside test CA",
                          "-keyout", folder + "/ca.key", "-out", folder + "/ca.crt"], folder: folder)
        try runTool(ssl, ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", folder + "/server.key",
                          "-out", folder + "/server.csr"], folder: folder)
        try FileIO.writeAtomically(Array("subjectAltName=IP:127.0.0.1\n".utf8), to: folder + "/san.ext")
        try runTool(ssl, ["x509", "-req", "-in", folder + "/server.csr", "-CA", folder + "/ca.crt", "-CAkey", folder + "/ca.key",
                          "-CAcreateserial", "-days", "2", "-extfile", folder + "/san.ext", "-out", folder + "/server.crt"], folder: folder)
        let broker = try Broker(folder: folder, extra: ["cafile \(folder)/ca.crt", "certfile \(folder)/server.crt",
                                                         "keyfile \(folder)/server.key"])
        try broker.start()
        defer { broker.stop() }
        let subscriber = try Subscriber(broker: broker, topic: "lineside/tls/#", id: "sub-tls", extra: ["--cafile", folder + "/ca.crt"])
        defer { subscriber.stop() }
        let publisher = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue", prefix: "tls") { $0.caFile = folder + "/ca.crt" },
                                          logger: Logger(label: "t"))
        for part in 0..<200 { publisher.part(record(part)) }
        let parts = subscriber.waitFor(200, suffix: "/part", timeout: .seconds(30))
        publisher.stop()
        let delivery = Delivery(parts, expected: Array(0..<200))
        print("PlantLinkTests TLS: \(delivery)")
        #expect(delivery.lost == 0 && delivery.inOrder)

        // A CA that did not sign the broker's certificate: refused, one line, nothing sent.
        try runTool(ssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
                          "-keyout", folder + "/other.key", "-out", folder + "/other.crt"], folder: folder)
        let log = CollectingLog()
        let wrong = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue2", prefix: "tls2") { $0.caFile = folder + "/other.crt" },
                                      logger: log.logger)
        wrong.part(record(0))
        SystemClock.shared.sleep(for: .seconds(2))
        wrong.stop()
        let lines = log.lines.withLock { $0 }.filter { $0.contains("mqtt:") }
        print("PlantLinkTests TLS with the wrong CA: \(lines)")
        #expect(lines.filter { $0.hasPrefix("error") }.count == 1)
        #expect(wrong.currentFigures.connections == 0)
        #expect(wrong.currentFigures.queued == 1)
    }

    @Test func wrongPasswordGivesOneClearLogLineAndInspectionGoesOn() throws {
        guard Broker.available() else { return }
        let folder = try temporaryFolder("password")
        defer { Directory.removeTree(folder) }
        try runTool(Broker.passwd, ["-b", "-c", folder + "/passwords", "lineside", "right-password"], folder: folder)
        let broker = try Broker(folder: folder, extra: ["password_file \(folder)/passwords"], anonymous: false)
        try broker.start()
        defer { broker.stop() }
        let log = CollectingLog()
        let publisher = try MQTTPublisher(settings: settings(broker, queue: folder + "/queue", prefix: "pw") {
            $0.username = "lineside"; $0.password = "wrong-password"
            $0.reconnectMax = .milliseconds(300)
        }, logger: log.logger)
        // The inspection side goes on: 3 s of parts at 100/s, each hand-over timed.
        var calls: [UInt64] = []
        for part in 0..<300 {
            let t0 = SystemClock.shared.nowNs
            publisher.part(record(part))
            calls.append(SystemClock.shared.nowNs &- t0)
            SystemClock.shared.sleep(for: .milliseconds(10))
        }
        _ = publisher.wait(for: .seconds(2)) { $0.queued == 300 }
        let figures = publisher.currentFigures
        publisher.stop()
        let lines = log.lines.withLock { $0 }.filter { $0.contains("mqtt:") && $0.hasPrefix("error") }
        print("PlantLinkTests wrong password: \(lines.count) error line(s): \(lines); part() call p99 \(Double(percentile(calls, 0.99)) / 1e3) us, longest \(Double(calls.max()!) / 1e3) us; queued \(figures.queued)")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("not authorised") == true || lines.first?.contains("not authorized") == true)
        #expect(figures.connections == 0)
        #expect(figures.queued == 300)
        #expect(percentile(calls, 0.99) < 20_000_000)  // never a connect or a disk wait (shared machine: scheduling noise is ms)
    }
}
