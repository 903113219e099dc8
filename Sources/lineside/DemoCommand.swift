import Capture
import Configuration
import DemoScene
import Glibc
import HMI
import Imaging
import LineIO
import LineIOFakes
import LineIOGPIOD
import Logging
import Platform
import PlantLink
import RejectArchive
import Service
import Synchronization

enum DemoCommand {
    static let help = """
    usage: lineside demo [--calibration N] [--parts N] [--fps F] [--threads N] [--mqtt HOST:PORT]
                         [--hmi ADDRESS:PORT] [--hmi-token TOKEN] [--no-hmi]

    The whole service on a machine with no camera and no GPIO: a stream of generated parts
    (good ones, and ones with a drawn scratch, stain or notch) stands in for the camera, and
    simulated lines print every change of the reject line and the lights with its time.
    A simulated long press of the calibration button starts an on-site fit on the next N good
    parts; then the service inspects and the reject line fires for the defective parts.

      --calibration N   good parts captured for the fit (default 60, 20% held out for the threshold)
      --parts N         parts inspected after the fit (default 48; every 4th is defective)
      --fps F           parts per second on the simulated line (default 10)
      --threads N       backbone threads (default 2)
      --mqtt HOST:PORT  publish every part, the status and events to this MQTT broker (topics
                        lineside/demo/...); watch with: mosquitto_sub -h HOST -p PORT -t 'lineside/demo/#' -v
      --hmi ADDRESS:PORT the operator's web page (default 127.0.0.1:8080; port 0: any free one);
                        the address is printed, with the token the page's actions need
      --hmi-token TOKEN  that token (default: a random one, printed)
      --no-hmi          no web page
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["calibration", "parts", "fps", "threads", "mqtt", "hmi", "hmi-token"],
                                 switches: ["help", "no-hmi"])
        if args.has("help") { Console.line(help); return 0 }
        let calibrationParts = try args.int("calibration", default: 60, range: 10...1000)
        let inspectedParts = try args.int("parts", default: 48, range: 1...100_000)
        let fps = try args.double("fps", default: 10, range: 0.5...100)
        let signals = SignalWatcher()
        let logger = LogSetup.bootstrap()

        let workdir = try Directory.makeTemporary(prefix: "lineside-demo")
        var settings = ServiceSettings.defaults
        settings.model.path = workdir + "/model.safetensors"
        settings.model.previousPath = workdir + "/model.previous.safetensors"
        settings.statusFile = workdir + "/status"
        settings.calibration.frames = calibrationParts
        settings.model.threads = try args.int("threads", default: 2, range: 1...8)
        settings.calibration.fit.holdoutFraction = 0.2

        let chip = ChipSelector.name("demo0")
        func line(_ offset: UInt32) -> LineAddress { LineAddress(chip: chip, offset: offset) }
        let names: [LineAddress: String] = [line(17): "reject", line(27): "pass light", line(22): "fail light", line(23): "status light"]
        var lines = LineIOConfiguration(
            rejectLines: [.init(output: OutputLineConfig(address: line(17), consumer: "lineside reject"),
                                timing: RejectTiming(delayNs: 300_000_000, pulseWidthNs: 60_000_000))],
            passLight: OutputLineConfig(address: line(27), consumer: "lineside pass"),
            failLight: OutputLineConfig(address: line(22), consumer: "lineside fail"),
            statusLight: OutputLineConfig(address: line(23), consumer: "lineside status"),
            button: InputLineConfig(address: line(24), consumer: "lineside button", edgeEvents: true))
        lines.longPressNs = 2_000_000_000

        let start = SystemClock.shared.nowNs
        @Sendable func stamp(_ ns: UInt64) -> String { fixed(Double(ns &- start) / 1e9, 3).leftPadded(8) + " s" }
        let quietLines = Atomic<Bool>(true)  // line changes are printed once the model is in use
        let simulated = SimulatedLines(now: { SystemClock.shared.nowNs }) { change in
            let name = names[change.address] ?? "\(change.address)"
            if quietLines.load(ordering: .relaxed) { return }
            if name == "status light" { return }  // its blink patterns are announced per state below
            Console.line("\(stamp(change.timestampNs))  \(name.padding(13)) \(change.active ? "ON " : "off")  (\(change.address))")
        }

        Console.line("lineside demo: \(calibrationParts) good parts for calibration, then \(inspectedParts) parts to inspect at \(fixed(fps, 1)) parts/s")
        Console.line("simulated lines on chip demo0: reject 17 (300 ms after capture, 60 ms pulse), pass 27, fail 22, status 23, button 24")
        Console.line("model: \(settings.model.path) (none yet: parts are rejected until calibrated; line changes shown once it is)")

        // The part stream: good parts until calibration is done, then every 4th part defective.
        let renderer = PartRenderer()
        let firstInspected = Mutex<Int?>(nil)
        let lastRendered = Atomic<Int>(0)
        let truth = Mutex<[Int: PartRenderer.Defect]>([:])
        let backbone = try Runtime.backbone(threads: settings.model.threads)
        let core = ServiceCore(backbone: backbone, settings: settings, logger: logger)
        var plantLink: MQTTPublisher? = nil
        if let address = args.string("mqtt") {
            let (host, port) = try PlantLinkSetup.parseAddress(address)
            var mqtt = MQTTSettings(host: host, port: port, station: "demo", queueFolder: workdir + "/mqtt-queue",
                                    statusInterval: .seconds(2), reconnectInitial: .milliseconds(200), reconnectMax: .seconds(5))
            mqtt.clientID = "lineside-demo-\(getpid())"
            plantLink = try PlantLinkSetup.start(mqtt, logger: logger)
            Console.line("plant link: MQTT to \(host):\(port); watch with: mosquitto_sub -h \(host) -p \(port) -t 'lineside/demo/#' -v")
        }
        defer { plantLink?.stop() }
        let archive = try RejectArchive(settings: ArchiveSettings(folder: workdir + "/rejects", maxRecords: 1000, maxBytes: 100_000_000,
                                                                  everyNthPass: 10), logger: logger)
        defer { archive.stop() }
        let requests = ServiceRequests()
        var hmiSettings: HMISettings? = nil
        if !args.has("no-hmi") {
            let listen = args.string("hmi") ?? "127.0.0.1:8080"
            guard let (host, port) = HMISettings.parseListen(listen, allowingAnyPort: true) else {
                throw UsageError("--hmi wants IPv4 ADDRESS:PORT, got \"\(listen)\"")
            }
            hmiSettings = HMISettings(host: host, port: port, requestsPerSecond: 1000)
        }
        let token = try args.string("hmi-token").map { text throws(UsageError) in
            guard HMISettings.isAcceptableToken(text) else { throw UsageError("--hmi-token: 12 to 256 printable characters without spaces") }
            return text
        } ?? Self.randomToken()
        let hmi: HMIServer?
        do {
            hmi = try HMISetup.start(hmiSettings, token: token, archive: archive, core: core, backbone: backbone, requests: requests, logger: logger)
        } catch where args.string("hmi") == nil {
            // The default address is taken (another demo?): the demo runs on without its page.
            Console.line("hmi: not started (\(error)); give --hmi 127.0.0.1:0 for any free port")
            hmi = nil
        }
        defer { hmi?.stop() }
        if let hmi { Console.line("hmi: http://\(hmi.settings.host):\(hmi.boundPort)/  token \(token)") }
        core.resultSink = ResultSinks.combine([plantLink, archive, hmi])
        let tally = Mutex((good: 0, goodRejected: 0, defective: 0, defectiveRejected: 0))
        core.partObserver = { part, sequence, score, verdict in
            let index = Int(sequence)
            guard let score else { return }
            let defect = truth.withLock { $0[index] }
            let rejected = verdict == .reject
            tally.withLock { t in
                if defect == nil { t.good += 1; if rejected { t.goodRejected += 1 } } else { t.defective += 1; if rejected { t.defectiveRejected += 1 } }
            }
            Console.line("\(stamp(SystemClock.shared.nowNs))  part \(part.rawValue): \(defect.map { "\($0.rawValue) " } ?? "good ")score \(fixed(score, 2)) -> \(rejected ? "REJECT" : "pass")")
        }

        var environment = ServiceRunner.Environment(
            makeSource: { clock in
                GeneratedPartsSource(framesPerSecond: fps, clock: clock) { index in
                    lastRendered.store(index, ordering: .relaxed)
                    if let first = firstInspected.withLock({ $0 }), index >= first + inspectedParts { return nil }
                    // Defects only once the model is in use, so the fit sees good parts only.
                    guard let first = firstInspected.withLock({ $0 }), index >= first, (index - first) % 4 == 3 else {
                        return renderer.render(index: index)
                    }
                    let defect = PartRenderer.Defect.allCases[((index - first) / 4) % 3]
                    truth.withLock { $0[index] = defect }
                    return renderer.render(index: 50_000 + index, defect: defect)
                }
            },
            makeLineDriver: { simulated },
            lineConfiguration: lines)
        environment.shouldStop = { signals.takePending() != nil }
        environment.requests = requests
        if hmi != nil { environment.overviewEvery = HMIServer.liveInterval }
        var pressed = false, released = false, inspecting = false
        var shownMode: StatusMode? = nil
        let patterns: [StatusMode: String] = [.ready: "steady on (ready)", .noModel: "slow blink (no model yet)",
                                              .calibrating: "fast blink (calibrating)", .fault: "double blink (fault)", .off: "off",
                                              .drift: "on, 200 ms off every 2 s (drift warning)"]
        environment.onTurn = { core, now in
            if core.state.statusMode != shownMode {
                shownMode = core.state.statusMode
                Console.line("\(stamp(now))  status light  \(patterns[core.state.statusMode] ?? "?")")
            }
            // The operator holds the calibration button for 2.5 s, one second in.
            if !pressed, now - start > 1_000_000_000 {
                pressed = true
                Console.line("\(stamp(now))  -- operator presses and holds the calibration button")
                simulated.setInput(line(24), active: true)
            }
            if pressed, !released, now - start > 3_500_000_000 {
                released = true
                Console.line("\(stamp(now))  -- operator releases the button")
                simulated.setInput(line(24), active: false)
            }
            if !inspecting, core.state == .inspecting {
                inspecting = true
                let next = lastRendered.load(ordering: .relaxed) + 1
                firstInspected.withLock { $0 = next }
                quietLines.store(false, ordering: .relaxed)
                Console.line("\(stamp(now))  -- model in use (threshold \(fixed(core.threshold ?? 0, 2))); defective parts from part \(next) on")
            }
        }
        let status = try ServiceRunner(core: core, environment: environment, logger: logger).run()
        let t = tally.withLock { $0 }
        let c = core.counters
        Console.line("")
        Console.line("demo summary: \(c.frames) parts seen, \(c.calibrations) calibration, \(c.inspected) inspected")
        Console.line("  defective parts: \(t.defective), rejected \(t.defectiveRejected)")
        Console.line("  good parts:      \(t.good), rejected \(t.goodRejected)")
        Console.line("  reject pulses:   \(simulated.changes.filter { names[$0.address] == "reject" && $0.active }.count) (parts without a model are rejected too)")
        Console.line("  latency p50 \(fixed(Double(core.latency.quantile(0.5) ?? 0) / 1e6, 1)) ms, p99 \(fixed(Double(core.latency.quantile(0.99) ?? 0) / 1e6, 1)) ms (capture to verdict)")
        Console.line("  status file: \(settings.statusFile); model: \(settings.model.path)")
        Console.line("  reject archive: \(archive.settings.folder) (lineside rejects --folder \(archive.settings.folder))")
        return status
    }
}

extension DemoCommand {
    /// 24 hex digits from the clock and the process id (the demo's page is on 127.0.0.1 only).
    static func randomToken() -> String {
        var random = SplitMix64(seed: SystemClock.shared.nowNs ^ UInt64(getpid()) << 32)
        return (0..<3).map { _ in String(random.next() & 0xFFFF_FFFF, radix: 16) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
