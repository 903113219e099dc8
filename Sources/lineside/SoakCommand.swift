import Capture
import DemoScene
import ImageCodec
import Imaging
import Inspection
import LineIO
import LineIOFakes
import LineIOGPIOD
import Logging
import SafeTensors
import Service
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

enum SoakCommand {
    static let help = """
    usage: lineside soak [--frames N] [--images DIR] [--threads N]

    A sustained run of the whole service: replays a folder of images (default: 24 generated
    parts, a quarter defective) as fast as the service takes them, through capture, inspection,
    decision and the (simulated) reject line, for N frames (default 10000) after a fit on the good
    ones. Prints frames per second and resident memory at the start and the end.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["frames", "images", "threads"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let frames = try args.int("frames", default: 10_000, range: 10...10_000_000)
        var template = Array("/tmp/lineside-soak-XXXXXX".utf8CString)
        let workdir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        let folder: String
        if let given = args.string("images") { folder = given } else {
            folder = workdir + "/images"
            mkdir(folder, 0o755)
            let renderer = PartRenderer()
            for i in 0..<24 {
                let image = i % 4 == 3 ? renderer.render(index: 70_000 + i, defect: PartRenderer.Defect.allCases[i % 3]) : renderer.render(index: i)
                try PNGEncoder.write(image, to: folder + "/part_\(100 + i).png")
            }
        }
        var logger = LogSetup.bootstrap()
        logger.logLevel = .warning
        var settings = ServiceSettings()
        settings.modelPath = workdir + "/model.safetensors"
        settings.previousModelPath = workdir + "/model.previous.safetensors"
        settings.statusPath = workdir + "/status"
        settings.backboneThreads = try args.int("threads", default: 2, range: 1...8)

        let backbone = try Runtime.backbone(threads: settings.backboneThreads)
        let fitter = try Fitter(backbone: backbone)
        for i in 0..<40 { try fitter.add(PartRenderer().render(index: 1_000 + i)) }
        try ModelStore(path: settings.modelPath, previousPath: settings.previousModelPath).save(try fitter.finish())

        let core = ServiceCore(backbone: backbone, settings: settings, logger: logger)
        let rejectLine = LineAddress(chip: .name("soak0"), offset: 17)
        let simulated = SimulatedLines(now: monotonicNanoseconds)
        let lines = LineIOConfiguration(rejectLines: [.init(output: OutputLineConfig(address: rejectLine, consumer: "reject"),
                                                            timing: RejectTiming(delayNs: 200_000_000, pulseWidthNs: 5_000_000))])
        var environment = ServiceRunner.Environment(
            makeSource: { ReplaySource(folder: folder, cachesImages: true, loader: { try ImageDecoder.read($0) }) },
            makeLineDriver: { simulated }, lineConfiguration: lines, lineClock: { SystemMonotonicClock() })
        environment.maximumFrames = frames
        let signals = SignalWatcher()
        environment.shouldStop = { signals.takePending() != nil }
        let rssAtStart = Mutex<Double?>(nil)
        environment.onTurn = { core, _ in
            if core.counters.frames == 100 { rssAtStart.withLock { if $0 == nil { $0 = ProcessMemory.residentMiB } } }
        }
        let start = monotonicNanoseconds()
        let status = ServiceRunner(core: core, environment: environment, logger: logger).run()
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let c = core.counters
        print("soak: \(c.frames) frames in \(fixed(seconds, 1)) s = \(fixed(Double(c.frames) / seconds, 1)) frames/s (\(settings.backboneThreads) backbone threads)")
        print("  inspected \(c.inspected), rejected \(c.rejects), passed \(c.passes), fail-safe \(c.failSafe), dropped \(c.drops)")
        print("  latency p50 \(fixed(Double(core.latency.quantile(0.5) ?? 0) / 1e6, 2)) ms, p99 \(fixed(Double(core.latency.quantile(0.99) ?? 0) / 1e6, 2)) ms (capture to verdict)")
        print("  resident memory after 100 frames \(fixed(rssAtStart.withLock { $0 } ?? 0, 1)) MiB, at the end \(fixed(ProcessMemory.residentMiB, 1)) MiB, peak \(fixed(ProcessMemory.peakMiB, 1)) MiB")
        return status
    }
}
