import Backbone
import CaptureFakes
import DemoScene
import ImageCodec
import Imaging
import Inspection
import Service
import Padim

enum BenchCommand {
    static let help = """
    usage: lineside bench [--runs N] [--threads 1,2] [--model M] [--image FILE]
           lineside bench --capture [--runs N]

    Times each stage of the per-frame path at 224x224 and prints median, p99 and min in ms over
    N runs (after 5 warm-up runs) for each thread count. Without --model it fits a model on 12
    generated images first (scoring cost does not depend on the model's values). Without --image
    it decodes a generated 640x480 PNG. Then the registration stage: one generated part of the
    image's width moved and turned within the tolerance, registered on one thread.

      --runs N         timed runs per thread count (default 100)
      --threads LIST   comma-separated backbone thread counts (default 1,2)
      --model M        model to score with
      --image FILE     PNG or JPEG to decode and inspect
      --capture        instead: capture overhead per 640x480 frame through the fake V4L2 kernel
                       (dequeue and requeue, YUYV/GREY conversion of the frame or a region)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["runs", "threads", "model", "image"], switches: ["help", "capture"])
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
        print("lineside bench: \(runs) runs per thread count, PaDiM kernel \(PatchScorer.kernelVariant)")
        var preprocessMedianMs: Double?
        for threads in threadList {
            let backbone = try Runtime.backbone(threads: threads)
            let model: ModelFile
            if let path = args.string("model") { model = try Runtime.model(path, backbone: backbone) } else { model = try syntheticModel(backbone) }
            let inspector = try Inspector(backbone: backbone, model: model)
            var stages: [(String, [Double])] = [("decode", []), ("preprocess", []), ("backbone", []), ("scoring", []),
                                                 ("postprocess", []), ("frame (preprocess..score)", [])]
            for run in 0..<(runs + 5) {
                let t0 = SystemClock.shared.nowNs
                let image = try ImageDecoder.decode(encoded, path: "bench image")
                let t1 = SystemClock.shared.nowNs
                inspector.extractor.preprocess(image)
                let t2 = SystemClock.shared.nowNs
                try inspector.extractor.runBackbone()
                let t3 = SystemClock.shared.nowNs
                inspector.extractor.gather()
                inspector.scorePatches()
                let t4 = SystemClock.shared.nowNs
                _ = inspector.postprocess()
                let t5 = SystemClock.shared.nowNs
                guard run >= 5 else { continue }
                for (i, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t1, t5)].enumerated() {
                    stages[i].1.append(Double(b - a) / 1e6)
                }
            }
            // Baseline measured in the same run: the scoring kernel without F16C/FMA (what a plain
            // x86-64 build would run), and the int8 backbone against itself on 1 thread.
            var baseline: [Double] = []
            for _ in 0..<max(5, runs / 5) {
                let t0 = SystemClock.shared.nowNs
                inspector.scorePatches(baselineKernel: true)
                baseline.append(Double(SystemClock.shared.nowNs - t0) / 1e6)
            }
            baseline.sort()
            if preprocessMedianMs == nil { preprocessMedianMs = stages[1].1.sorted()[stages[1].1.count / 2] }
            let scoringMedian = stages[3].1.sorted()[stages[3].1.count / 2]
            print("threads \(threads)")
            print("  " + "stage".padding(28) + "median ms".padding(11) + "p99 ms".padding(9) + "min ms")
            for (name, samples) in stages {
                let s = samples.sorted()
                let p99 = s[min(s.count - 1, Int((Double(s.count) * 0.99).rounded(.up)) - 1)]
                print("  " + name.padding(28) + fixed(s[s.count / 2], 2).padding(11) + fixed(p99, 2).padding(9) + fixed(s[0], 2))
            }
            print("  scoring with the baseline kernel (no F16C/FMA): median \(fixed(baseline[baseline.count / 2], 2)) ms over \(baseline.count) runs, "
                  + "\(fixed(baseline[baseline.count / 2] / scoringMedian, 1))x the dispatched kernel")
        }
        try registrationStage(image: try ImageDecoder.decode(encoded, path: "bench image"), runs: runs, preprocessMedianMs: preprocessMedianMs)
        return 0
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

import Platform
func FileIO_read(_ path: String) throws -> [UInt8] { try FileIO.read(path) }
