// plantlink-probe: the plant link in a process of its own, for the tests that kill it (kill -9
// with messages queued; the will). Not installed; built with the tests.
//   plantlink-probe --port P --queue DIR --prefix PFX [--count N] [--first K] [--hold] [--timeout S]
// Publishes N part records (part K...K+N-1), prints "queued N" once they are in the queue on
// disk (or acknowledged), then with --hold waits to be killed; without it waits until the queue
// is empty (or S seconds), stops cleanly and prints "drained" (exit 0) or "left Q" (exit 1).
import Configuration
import Glibc
import LineIO
import Logging
import PlantLink
import Platform
import Service

var options: [String: String] = [:]
var hold = false
var index = 1
let argv = CommandLine.arguments
while index < argv.count {
    let name = argv[index]
    if name == "--hold" { hold = true; index += 1; continue }
    guard name.hasPrefix("--"), index + 1 < argv.count else { print("usage: see the header of Tests/PlantLinkProbe/main.swift"); exit(2) }
    options[String(name.dropFirst(2))] = argv[index + 1]
    index += 2
}
/// One line on stdout at once (the test reads the file while the probe runs).
func say(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
let count = Int(options["count"] ?? "0") ?? 0
let first = UInt64(options["first"] ?? "0") ?? 0
let timeout = Int(options["timeout"] ?? "60") ?? 60
let settings = MQTTSettings(host: options["host"] ?? "127.0.0.1", port: Int(options["port"] ?? "1883") ?? 1883, station: "probe",
                            clientID: options["client-id"] ?? "lineside-probe", topicPrefix: options["prefix"],
                            keepAliveSeconds: 5, queueFolder: options["queue"] ?? "/tmp/plantlink-probe-queue",
                            reconnectInitial: .milliseconds(100), reconnectMax: .milliseconds(500))
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
let publisher = try MQTTPublisher(settings: settings, logger: Logger(label: "plantlink-probe"))
for i in 0..<count {
    let part = first + UInt64(i)
    publisher.part(PartRecord(part: part, sequence: UInt32(truncatingIfNeeded: part), captureNs: SystemClock.shared.nowNs,
                              score: 1.5, threshold: 3, verdict: .pass, reason: "score", modelID: "probe", latencyNs: 1_000_000))
}
_ = publisher.wait(for: .seconds(30)) { $0.queued + Int($0.acknowledged) >= count }
say("queued \(count)")
if hold {
    if options["wait-connected"] != nil { _ = publisher.wait(for: .seconds(30)) { $0.connected }; say("connected") }
    while true { SystemClock.shared.sleep(for: .seconds(1)) }
}
let drained = publisher.wait(for: .seconds(timeout)) { $0.queued == 0 && $0.connections > 0 }
let left = publisher.currentFigures.queued
publisher.stop()
say(drained ? "drained" : "left \(left)")
exit(drained ? 0 : 1)
