import Configuration
import Drift
import Glibc
import LineIO
import Platform
import Service
import Testing
@testable import PlantLink

@Suite struct DiskQueueTests {
    @Test func boundedByCountTheOldestGoAndAreCounted() throws {
        let folder = try temporaryFolder("queue-count")
        defer { Directory.removeTree(folder) }
        let queue = try DiskQueue(folder: folder, maxMessages: 10, maxBytes: 1 << 20)
        var seqs: [UInt64] = []
        for i in 0..<25 { seqs.append(try queue.append(topic: "t/part") { _ in Array("m\(i)".utf8) }) }
        #expect(queue.count == 10)
        #expect(queue.dropped == 15)
        #expect(queue.message(at: 0)?.payload == Array("m15".utf8))
        #expect(try Directory.entries(folder).count == 10)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0.1 == $0.0 + 1 })
    }

    @Test func boundedByBytes() throws {
        let folder = try temporaryFolder("queue-bytes")
        defer { Directory.removeTree(folder) }
        let queue = try DiskQueue(folder: folder, maxMessages: 1000, maxBytes: 1000)
        for _ in 0..<50 { _ = try queue.append(topic: "t") { _ in [UInt8](repeating: 0x41, count: 98) } }
        #expect(queue.totalBytes <= 1000)
        #expect(queue.count == 10)
        #expect(queue.dropped == 40)
    }

    @Test func aReopenedQueueHasTheMessagesInOrderAndContinuesTheSequence() throws {
        let folder = try temporaryFolder("queue-reopen")
        defer { Directory.removeTree(folder) }
        var last: UInt64 = 0
        do {
            let queue = try DiskQueue(folder: folder, maxMessages: 100, maxBytes: 1 << 20)
            for i in 0..<5 { last = try queue.append(topic: "a/b") { _ in Array("p\(i)".utf8) } }
            #expect(queue.remove(last - 4))
        }
        // A writer killed between create and rename leaves a temporary file: cleared at open.
        try FileIO.writeAtomically(Array("half".utf8), to: folder + "/.tmp-99")
        // A foreign or damaged file is not a message.
        try FileIO.writeAtomically(Array("x".utf8), to: folder + "/00000000000000000001.msg")
        let reopened = try DiskQueue(folder: folder, maxMessages: 100, maxBytes: 1 << 20)
        #expect(reopened.count == 5)
        let first = try #require(reopened.message(at: 0))
        #expect(first.topic.isEmpty)  // the one-byte file has no topic line: skipped when sent
        #expect(reopened.message(at: 1)?.payload == Array("p1".utf8))
        #expect(reopened.message(at: 1)?.topic == "a/b")
        #expect(try reopened.append(topic: "a/b") { _ in [] } == last + 1)
        #expect(!Directory.exists(folder + "/.tmp-99"))
    }
}

@Suite struct PlantMessageTests {
    /// The `required` lists of board/mqtt-schema.json, per message type.
    static func required() throws -> [String: [String]] {
        var directory = #filePath
        for _ in 0..<3 { directory = String(directory[..<directory.lastIndex(of: "/")!]) }
        let schema = try JSON.parse(try FileIO.read(directory + "/board/mqtt-schema.json"))
        var out: [String: [String]] = [:]
        for (name, definition) in schema["$defs"]?.objectValue ?? [:] {
            out[name] = definition["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return out
    }

    @Test func everyMessageHasWhatTheSchemaRequires() throws {
        let required = try Self.required()
        let record = PartRecord(part: 7, sequence: 9, captureNs: SystemClock.shared.nowNs, score: nil, threshold: nil,
                                verdict: .inspectionFailed, reason: "fault", modelID: nil, latencyNs: nil)
        let status = StatusReport(state: "inspecting", detail: "inspecting", counters: ServiceCounters(), latencyP50Ms: 1,
                                  latencyP99Ms: 2, framesPerSecond: 10, threshold: 3, modelPath: "/m", uptimeSeconds: 1,
                                  cameraReconnects: 0)
        let reading = DriftReading(scoreProgress: 0.6, brightnessRatio: 0.94, contrastRatio: 1, medianScore: 5, reasons: ["score"])
        let messages: [(String, JSON)] = [
            ("part", PlantMessages.part(record, captureMs: 1_796_000_000_000, station: "s", seq: 1)),
            ("status", PlantMessages.status(status, ms: 1, station: "s", seq: 2, queued: 3, dropped: 4)),
            ("event", PlantMessages.event(.drift(active: true, reading: reading), ms: 1, station: "s", seq: 3)),
            ("birth", PlantMessages.birth(station: "s", clientID: "c", ms: 1)),
            ("will", PlantMessages.offline(station: "s", reason: "stopped")),
        ]
        for (type, message) in messages {
            #expect(message["type"]?.stringValue == type)
            for key in (required[type] ?? []) + (required["common"] ?? []) {
                #expect(message[key] != nil, "\(type) message lacks \(key)")
            }
        }
        #expect(messages[0].1["verdict"]?.stringValue == "fail-safe")
        #expect(messages[0].1["capture_time"]?.stringValue == "2026-11-30T00:53:20.000Z")
        #expect(messages[2].1["event"]?.stringValue == "drift")
    }
}

@Suite struct MQTTConfigurationTests {
    static let base = """
        [camera]
        device = "/dev/video0"
        [[reject]]
        chip = "gpiochip0"
        offset = 17

        """

    func parse(_ mqtt: String) throws -> MQTTSettings? {
        try LinesideConfiguration.parse(text: Self.base + mqtt, path: "test.conf").service.mqtt
    }

    func error(_ mqtt: String) -> String {
        do { _ = try parse(mqtt); return "accepted" } catch { return "\(error)" }
    }

    @Test func noSectionNoPlantLink() throws {
        #expect(try parse("") == nil)
    }

    @Test func defaultsFromTheSchema() throws {
        let settings = try #require(try parse("[mqtt]\nhost = \"broker\"\nstation = \"press-3\"\n"))
        #expect(settings.port == 1883 && settings.qos == 1 && settings.keepAliveSeconds == 30)
        #expect(settings.topicPrefix == "lineside/press-3" && settings.clientID == "lineside-press-3")
        #expect(settings.queueMaxBytes == 64 << 20 && settings.queueMaxMessages == 100_000)
        #expect(settings.statusInterval == .seconds(10))
    }

    @Test func hostileValuesAreOneLineErrors() {
        let cases: [(String, String)] = [
            ("[mqtt]\nport = 1883\n", "host"),
            ("[mqtt]\nhost = \"a b\"\n", "host"),
            ("[mqtt]\nhost = \"b\"\nport = 0\n", "port"),
            ("[mqtt]\nhost = \"b\"\nqos = 3\n", "qos"),
            ("[mqtt]\nhost = \"b\"\ntopic_prefix = \"plant/#\"\n", "topic_prefix"),
            ("[mqtt]\nhost = \"b\"\ntopic_prefix = \"plant//x\"\n", "topic_prefix"),
            ("[mqtt]\nhost = \"b\"\ntopic_prefix = \"$SYS/x\"\n", "topic_prefix"),
            ("[mqtt]\nhost = \"b\"\nstation = \"line 1\"\n", "station"),
            ("[mqtt]\nhost = \"b\"\nclient_id = \"\"\n", "client_id"),
            ("[mqtt]\nhost = \"b\"\npassword = \"x\"\n", "password"),
            ("[mqtt]\nhost = \"b\"\ncert_file = \"/c\"\nca_file = \"/a\"\n", "key_file"),
            ("[mqtt]\nhost = \"b\"\ncert_file = \"/c\"\nkey_file = \"/k\"\n", "ca_file"),
            ("[mqtt]\nhost = \"b\"\nreconnect_initial_ms = 5000\nreconnect_max_ms = 100\n", "reconnect_max_ms"),
            ("[mqtt]\nhost = \"b\"\nbroker = \"x\"\n", "broker"),
            ("[drift]\nscore_fraction = 1.5\n", "score_fraction"),
        ]
        for (text, key) in cases {
            let message = error(text)
            #expect(message != "accepted", "accepted: \(text)")
            #expect(message.contains(key), "\(message) does not name \(key)")
            #expect(!message.contains("\n"), "not one line: \(message)")
            #expect(message.contains("test.conf"), "no file name: \(message)")
        }
    }
}

@Suite struct ModelHistoryTests {
    @Test func aModelLoadedAtStartThatWasThePreviousOneIsARollback() throws {
        let folder = try temporaryFolder("models")
        defer { Directory.removeTree(folder) }
        let a = "00000000000000aa", b = "00000000000000bb"
        var history = ModelHistory(path: folder + "/models")
        #expect(history.note(.modelLoaded(modelID: a, threshold: 1)) == nil)
        #expect(history.note(.modelSwapped(modelID: b, threshold: 1)) == nil)
        // A restart with the same model is not a rollback; after `lineside rollback` it is.
        var restarted = ModelHistory(path: folder + "/models")
        #expect(restarted.note(.modelLoaded(modelID: b, threshold: 1)) == nil)
        var rolledBack = ModelHistory(path: folder + "/models")
        #expect(rolledBack.note(.modelLoaded(modelID: a, threshold: 1)) == .rollback(modelID: a))
        // Garbage in the file is ignored.
        try FileIO.writeAtomically(Array("x\u{7}\n../../\n".utf8), to: folder + "/models")
        var damaged = ModelHistory(path: folder + "/models")
        #expect(damaged.note(.modelLoaded(modelID: a, threshold: 1)) == nil)
    }
}
