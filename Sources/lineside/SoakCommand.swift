import Backbone
import Capture
import Configuration
import DemoScene
import HMI
import ImageCodec
import Imaging
import Inspection
import LineIO
import LineIOFakes
import LineIOGPIOD
import Logging
import Platform
import RejectArchive
import Service
import Synchronization

enum SoakCommand {
    static let help = """
    usage: lineside soak [--frames N] [--images DIR] [--threads N] [--calibrate-at N] [--calibration-frames N]
                         [--fps F] [--hmi-clients N [--phase-frames N]]

    A sustained run of the whole service: replays a folder of images (default: 24 generated
    parts, a quarter defective) through capture, inspection, decision and the (simulated) reject
    line for N frames (default 10000), after a fit on generated good parts. The replay waits for
    the inspection (back-pressure), so every frame is inspected: frames per second is what the
    inspection sustains. Prints the counters, latency and resident memory after 100 frames, at the
    end and at its peak.

      --calibrate-at N          a simulated long press of the calibration button at frame N: the
                                service calibrates on the next frames (the replayed images, as they
                                are) and swaps the new model in; prints memory before and after
      --calibration-frames N    frames that calibration takes (default 40)
      --fps F                   replay at F frames/s like a camera (a busy inspection drops frames)
                                instead of waiting for the inspection
      --hmi-clients N           the HMI (and the reject archive) on, and N clients polling it the
                                way its page does, on and off in alternating phases of
                                --phase-frames frames (default 100): prints latency p50/p99 and the
                                reject pulses' timing with and without them, from the same run
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["frames", "images", "threads", "calibrate-at", "calibration-frames",
                                                   "hmi-clients", "phase-frames", "fps"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let frames = try args.int("frames", default: 10_000, range: 10...10_000_000)
        let calibrateAt = try args.optionalInt("calibrate-at", range: 100...10_000_000)
        let hmiClients = try args.optionalInt("hmi-clients", range: 1...200)
        let phaseFrames = try args.int("phase-frames", default: 100, range: 10...1_000_000)
        let paced = args.string("fps") == nil ? nil : try args.double("fps", default: 5, range: 0.5...1000)
        if let calibrateAt, calibrateAt >= frames { throw UsageError("--calibrate-at \(calibrateAt) must come before the last frame (\(frames))") }
        let workdir = try Directory.makeTemporary(prefix: "lineside-soak")
        defer { Directory.removeTree(workdir) }
        let folder: String
        if let given = args.string("images") { folder = given } else {
            folder = workdir + "/images"
            try Directory.create(folder)
            let renderer = PartRenderer()
            for i in 0..<24 {
                let image = i % 4 == 3 ? renderer.render(index: 70_000 + i, defect: PartRenderer.Defect.allCases[i % 3]) : renderer.render(index: i)
                try PNGEncoder.write(image, to: folder + "/part_\(100 + i).png")
            }
        }
        var logger = LogSetup.bootstrap()
        logger.logLevel = .warning
        var settings = ServiceSettings.defaults
        settings.model.path = workdir + "/model.safetensors"
        settings.model.previousPath = workdir + "/model.previous.safetensors"
        settings.statusFile = workdir + "/status"
        settings.model.threads = try args.int("threads", default: 2, range: 1...8)
        settings.calibration.frames = try args.int("calibration-frames", default: 40, range: 10...10_000)

        let backbone = try Runtime.backbone(threads: settings.model.threads)
        try fitStartingModel(backbone: backbone, settings: settings)
        ProcessMemory.trim()  // the starting fit's buffers are gone: measure the service alone

        let core = ServiceCore(backbone: backbone, settings: settings, logger: logger)
        let chip = ChipSelector.name("soak0")
        let rejectLine = LineAddress(chip: chip, offset: 17), button = LineAddress(chip: chip, offset: 24)
        let simulated = SimulatedLines(now: { SystemClock.shared.nowNs })
        var lines = LineIOConfiguration(rejectLines: [.init(output: OutputLineConfig(address: rejectLine, consumer: "reject"),
                                                            timing: RejectTiming(delayNs: 200_000_000, pulseWidthNs: 5_000_000))],
                                        button: InputLineConfig(address: button, consumer: "button", edgeEvents: true))
        lines.longPressNs = 50_000_000
        lines.debounceNs = 5_000_000
        var environment = ServiceRunner.Environment(
            makeSource: { clock in
                ReplaySource(folder: folder, framesPerSecond: paced, cachesImages: true, clock: clock, loader: { try ImageDecoder.read($0) })
            },
            makeLineDriver: { simulated }, lineConfiguration: lines)
        environment.pacing = paced == nil ? .backPressure : .live
        environment.maximumFrames = frames
        let signals = SignalWatcher()
        environment.shouldStop = { signals.takePending() != nil }
        let memory = SoakMemory()
        var pressedAt: UInt64?, released = false
        environment.onTurn = { core, now in
            let parts = core.counters.frames
            if parts >= 100 { memory.note(\.afterHundred) }
            if let calibrateAt, parts >= UInt64(calibrateAt), pressedAt == nil {
                memory.note(\.beforeCalibration)
                pressedAt = now
                simulated.setInput(button, active: true)
            }
            if let start = pressedAt, now &- start > 120_000_000, !released {
                released = true
                simulated.setInput(button, active: false)
            }
            if core.counters.calibrations > 0 {
                memory.noteAfterCalibration(parts: parts)
            }
        }
        // --hmi-clients: the archive and the HMI on, the clients switched on every other phase.
        var load: HMILoad? = nil
        let recorder = PhaseRecorder()
        var archive: RejectArchive? = nil
        var hmi: HMIServer? = nil
        if let hmiClients {
            archive = try RejectArchive(settings: ArchiveSettings(folder: workdir + "/rejects", maxRecords: 500, maxBytes: 50_000_000,
                                                                  everyNthPass: 10), logger: logger)
            let hmiSettings = HMISettings(host: "127.0.0.1", port: 0, maxConnections: 4 * hmiClients + 16,
                                          maxConnectionsPerIP: 4 * hmiClients + 16, requestsPerSecond: 10_000)
            let server = HMIServer(settings: hmiSettings, token: nil, archive: archive, requests: ServiceRequests(), actions: nil, logger: logger)
            let port = try server.start()
            hmi = server
            let clients = HMILoad(port: port, clients: hmiClients)
            try clients.start()
            load = clients
            core.resultSink = ResultSinks.combine([archive, server, recorder])
            environment.overviewEvery = HMIServer.liveInterval
            let turnBefore = environment.onTurn
            environment.onTurn = { core, now in
                turnBefore(core, now)
                let phase = core.counters.frames / UInt64(phaseFrames)
                let on = phase % 2 == 1
                clients.active.store(on, ordering: .relaxed)
                recorder.loaded.store(on, ordering: .relaxed)
                recorder.warmUp.store(phase == 0, ordering: .relaxed)
            }
        }
        // The line I/O thread as `lineside run` has it: SCHED_FIFO where the process may.
        let lineThreadPriority = Mutex("normal priority")
        environment.prepareLineThread = {
            let refused = RealtimePriority.makeCurrentThreadFIFO()
            lineThreadPriority.withLock { $0 = refused.map { "normal priority (SCHED_FIFO refused: \($0))" } ?? "SCHED_FIFO" }
        }
        let start = SystemClock.shared.nowNs
        let status = try ServiceRunner(core: core, environment: environment, logger: logger).run()
        load?.stop()
        hmi?.stop()
        archive?.stop()
        let seconds = Double(SystemClock.shared.nowNs - start) / 1e9
        let c = core.counters
        let m = memory.figures
        print("soak: \(c.frames) frames in \(fixed(seconds, 1)) s = \(fixed(Double(c.frames) / seconds, 1)) frames/s (\(settings.model.threads) backbone threads)")
        print("  captured \(c.captured), inspected \(c.inspected), dropped \(c.drops), rejected \(c.rejects), passed \(c.passes), fail-safe \(c.failSafe), without a model \(c.uninspected), calibrations \(c.calibrations)")
        print("  reject pulses \(simulated.changes.filter { $0.address == rejectLine && $0.active }.count) (line I/O thread at \(lineThreadPriority.withLock { $0 }))")
        print("  latency p50 \(fixed(Double(core.latency.quantile(0.5) ?? 0) / 1e6, 2)) ms, p99 \(fixed(Double(core.latency.quantile(0.99) ?? 0) / 1e6, 2)) ms (capture to verdict)")
        print("  resident memory after 100 frames \(fixed(m.afterHundred ?? 0, 1)) MiB, at the end \(fixed(ProcessMemory.residentMiB, 1)) MiB, peak \(fixed(ProcessMemory.peakMiB, 1)) MiB")
        if calibrateAt != nil {
            print("  calibration: resident memory before \(fixed(m.beforeCalibration ?? 0, 1)) MiB, 100 frames after the new model \(m.afterCalibration.map { fixed($0, 1) + " MiB" } ?? "(not reached)")")
        }
        if let load {
            let pulses = simulated.changes.filter { $0.address == rejectLine && $0.active }.map(\.timestampNs)
            for line in PhaseRecorder.report(recorder.recorded, pulses: pulses, delayNs: lines.rejectLines[0].timing.delayNs,
                                             clients: load.clients, load: load, seconds: seconds) { print(line) }
        }
        return status
    }

    /// The model the soak starts with, fitted on generated good parts; the fitter (and its sums)
    /// is gone when this returns.
    static func fitStartingModel(backbone: Int8Backbone, settings: ServiceSettings) throws {
        let fitter = try Fitter(backbone: backbone)
        for i in 0..<40 { try fitter.add(PartRenderer().render(index: 1_000 + i)) }
        try ModelStore(path: settings.model.path, previousPath: settings.model.previousPath).save(try fitter.finish())
    }
}

/// Resident memory at the soak's landmarks, noted from the service's main loop.
final class SoakMemory: Sendable {
    struct Figures: Sendable {
        var afterHundred: Double?
        var beforeCalibration: Double?
        var afterCalibration: Double?
    }

    private let state = Mutex((figures: Figures(), calibratedAtPart: UInt64?.none))

    var figures: Figures { state.withLock { $0.figures } }

    func note(_ key: WritableKeyPath<Figures, Double?> & Sendable) {
        state.withLock { if $0.figures[keyPath: key] == nil { $0.figures[keyPath: key] = ProcessMemory.residentMiB } }
    }

    /// 100 parts after the new model came into use.
    func noteAfterCalibration(parts: UInt64) {
        state.withLock { s in
            if s.calibratedAtPart == nil { s.calibratedAtPart = parts }
            if s.figures.afterCalibration == nil, let at = s.calibratedAtPart, parts >= at + 100 {
                s.figures.afterCalibration = ProcessMemory.residentMiB
            }
        }
    }
}
