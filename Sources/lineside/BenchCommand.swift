import Backbone
import CaptureFakes
import DemoScene
import ImageCodec
import Imaging
import Inspection
import Service
import Padim
import Platform

enum BenchCommand {
    static let help = """
    usage: lineside bench [--runs N] [--threads 1,2] [--model M] [--image FILE] [--factor int8|float16]
           lineside bench --capture [--runs N]

    Times each stage of the per-frame path at 224x224 and prints median, p99 and min in ms over
    N runs (after 10 warm-up frames) for each thread count (every stage on the backbone's pool;
    the backbone in the model's precision, and all in int8 on every second frame),
    with the scoring's memory floor (every second frame reads the model's bytes in place of
    scoring), frame / backbone, the 2-vs-1-thread speed-up, and, when started with
    LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_TRACE=FILE, the allocations in 20 frames. Without --model it fits a model on 12
    generated images first (scoring cost does not depend on the model's values). Without --image
    it decodes a generated 640x480 PNG. Then the registration stage: one generated part of the
    image's width moved and turned within the tolerance, registered on one thread.

      --runs N         timed runs per thread count (default 100)
      --threads LIST   comma-separated backbone thread counts (default 1,2)
      --model M        model to score with
      --image FILE     PNG or JPEG to decode and inspect
      --factor E       how the scorer holds the factor: int8 (default, per-row scale) or float16
      --capture        instead: capture overhead per 640x480 frame through the fake V4L2 kernel
                       (dequeue and requeue, YUYV/GREY conversion of the frame or a region)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["runs", "threads", "model", "image", "factor"], switches: ["help", "capture"])
        if args.has("help") { print(help); return 0 }
        let runs = try args.int("runs", default: 100, range: 1...100_000)
        if args.has("capture") {
            print("lineside bench --capture: \(runs * 10) frames of 640x480 per case")
            for figures in try CaptureBenchmark.run(frames: runs * 10) { print("  \(figures)") }
            return 0
        }
        let threadList = (args.string("threads") ?? "1,2").split(separator: ",").compactMap { Int($0) }
        guard !threadList.isEmpty, threadList.allSatisfy({ (1...64).contains($0) }) else { throw UsageError("--threads takes a list like 1,2") }

        let encoded: [UInt8]
        if let path = args.string("image") {
            encoded = try FileIO_read(path)
        } else {
            let frame = PartRenderer(size: 480).render(index: 0)
            encoded = try PNGEncoder.encode(Image(width: 480, height: 480, layout: .rgb, pixels: frame.pixels))
        }
        let factor = try Runtime.factor(args)
        print("lineside bench: \(runs) runs per thread count, PaDiM kernel \(PatchScorer.kernelVariant) (factor \(factor.rawValue)), \(cpuName())")
        var frameMedians: [(threads: Int, frame: Double, backbone: Double)] = []
        var sums = [UInt64](repeating: 0, count: 64)
        var preprocessMedianMs: Double?
        for threads in threadList {
            let backbone = try Runtime.backbone(threads: threads)
            let model: ModelFile
            if let path = args.string("model") { model = try Runtime.model(path, backbone: backbone) } else { model = try syntheticModel(backbone) }
            let inspector = try Inspector(backbone: backbone, model: model, factor: factor)
            var stages: [(String, [Double])] = [("decode", []), ("preprocess", []), ("backbone", []), ("scoring", []),
                                                 ("postprocess", []), ("frame (preprocess..score)", []),
                                                 ("  of scoring: gather", []), ("  of scoring: distances", []),
                                                 ("backbone all int8 (2nd frames)", [])]
            // The scoring's floor, measured in the same place of the frame: every second frame reads
            // the model's bytes (same pool, same split) instead of scoring, so both find the caches
            // after the same decode, preprocessing, backbone and gather.
            var floor: [Double] = []
            for run in 0..<(2 * runs + 10) {
                let readsInstead = run % 2 == 1
                let t0 = SystemClock.shared.nowNs
                let image = try ImageDecoder.decode(encoded, path: "bench image")
                let t1 = SystemClock.shared.nowNs
                inspector.extractor.preprocess(image)
                let t2 = SystemClock.shared.nowNs
                // Every second frame runs the backbone all in int8 (the precision of models fitted
                // before the float32 prefix): both precisions timed in the same place of the frame.
                if readsInstead { try backbone.run(.int8) } else { try inspector.extractor.runBackbone() }
                let t3 = SystemClock.shared.nowNs
                inspector.extractor.gather()
                let t3g = SystemClock.shared.nowNs
                if readsInstead {
                    sums.withUnsafeMutableBufferPointer { inspector.readModel(sums: $0) }
                } else {
                    inspector.scorePatches()
                }
                let t4 = SystemClock.shared.nowNs
                _ = inspector.postprocess()
                let t5 = SystemClock.shared.nowNs
                guard run >= 10 else { continue }
                if readsInstead {
                    floor.append(Double(t4 - t3g) / 1e6)
                    stages[8].1.append(Double(t3 - t2) / 1e6)
                    continue
                }
                for (i, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t1, t5), (t3, t3g), (t3g, t4)].enumerated() {
                    stages[i].1.append(Double(b - a) / 1e6)
                }
            }
            // Baseline measured in the same run: the scoring kernel without F16C/FMA (what a plain
            // x86-64 build would run).
            var baseline: [Double] = []
            for _ in 0..<(factor == .float16 ? max(5, runs / 5) : 0) {
                let t0 = SystemClock.shared.nowNs
                inspector.scorePatches(baselineKernel: true)
                baseline.append(Double(SystemClock.shared.nowNs - t0) / 1e6)
            }
            baseline.sort()
            floor.sort()

            // The frame path must not allocate: glibc's malloc trace over 20 frames, every thread
            // (only when started with LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_TRACE=FILE).
            let image = try ImageDecoder.decode(encoded, path: "bench image")
            let allocations = try ProcessMemory.allocations {
                for _ in 0..<20 {
                    inspector.extractor.preprocess(image)
                    try inspector.extractor.runBackbone()
                    inspector.extractor.gather()
                    inspector.scorePatches()
                    _ = inspector.postprocess()
                }
            }

            let median = { (i: Int) in stages[i].1.sorted()[stages[i].1.count / 2] }
            let minimum = { (i: Int) in stages[i].1.min()! }
            frameMedians.append((threads, median(5), median(2)))
            if preprocessMedianMs == nil { preprocessMedianMs = median(1) }
            print("threads \(threads)")
            print("  " + "stage".padding(28) + "median ms".padding(11) + "p99 ms".padding(9) + "min ms")
            for (name, samples) in stages {
                let s = samples.sorted()
                let p99 = s[min(s.count - 1, Int((Double(s.count) * 0.99).rounded(.up)) - 1)]
                print("  " + name.padding(28) + fixed(s[s.count / 2], 2).padding(11) + fixed(p99, 2).padding(9) + fixed(s[0], 2))
            }
            if !baseline.isEmpty {
                print("  scoring with the baseline kernel (no F16C/FMA): median \(fixed(baseline[baseline.count / 2], 2)) ms over \(baseline.count) runs, "
                      + "\(fixed(baseline[baseline.count / 2] / median(7), 1))x the dispatched kernel")
            }
            let megabytes = Double(inspector.scoringBytes) / 1e6
            print("  read floor (the model's \(fixed(megabytes, 1)) MB read in place of scoring, every 2nd frame): median "
                  + "\(fixed(floor[floor.count / 2], 2)) ms = \(fixed(megabytes / floor[floor.count / 2], 1)) GB/s, min \(fixed(floor[0], 2)) ms = "
                  + "\(fixed(megabytes / floor[0], 1)) GB/s; distances / floor: \(fixed(median(7) / floor[floor.count / 2], 2)) (medians), "
                  + "\(fixed(minimum(7) / floor[0], 2)) (minimums)")
            print("  frame / backbone: \(fixed(median(5) / median(2), 2)) (medians), \(fixed(minimum(5) / minimum(2), 2)) (minimums); "
                  + "backbone \(model.precision.name) / all int8: \(fixed(median(2) / median(8), 2)) (medians)")
            if let allocations {
                print("  allocations in 20 frames (preprocess..score, all threads): \(allocations)")
            } else {
                print("  allocations: not counted (run with LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_TRACE=FILE)")
            }
        }
        if let one = frameMedians.first(where: { $0.threads == 1 }) {
            for other in frameMedians where other.threads > 1 {
                print("frame speed-up \(other.threads) threads vs 1 (medians): \(fixed(one.frame / other.frame, 2))x "
                      + "(backbone alone \(fixed(one.backbone / other.backbone, 2))x)")
            }
        }
        try registrationStage(image: try ImageDecoder.decode(encoded, path: "bench image"), runs: runs, preprocessMedianMs: preprocessMedianMs)
        return 0
    }

    /// The CPU's model name from /proc/cpuinfo (figures depend on it: the shared machine's kind changes).
    static func cpuName() -> String {
        guard let bytes = try? FileIO.read("/proc/cpuinfo", limit: 1 << 20) else { return "cpu unknown" }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return String(line[line.index(after: colon)...].drop { $0 == " " }) }
        }
        return "cpu unknown"
    }

    static func syntheticModel(_ backbone: Int8Backbone) throws -> ModelFile {
        var settings = FitSettings()
        settings.holdoutFraction = 0.25
        let fitter = try Fitter(backbone: backbone, settings: settings)
        let renderer = PartRenderer()
        for i in 0..<12 { try fitter.add(renderer.render(index: i)) }
        return try fitter.finish()
    }
}

func FileIO_read(_ path: String) throws -> [UInt8] { try FileIO.read(path) }
