import DemoScene
import Imaging
import Platform
import Registration

/// `lineside bench`'s registration stage: one part's position correction on one thread (resize to
/// the 256 view, thumbnail + phase correlation + ECC, warpAffine), on a generated part moved and
/// turned within the tolerance, against a reference from 12 generated parts. Baseline in the same
/// run: the preprocessing stage the frame path already has (`preprocessMedianMs`).
extension BenchCommand {
    static func registrationStage(image: Image, runs: Int, preprocessMedianMs: Double?) throws {
        let renderer = PartRenderer(size: image.width)
        let thumbnails = try (0..<12).map { try Registrar.thumbnail(renderer.render(index: $0, pose: .centred)) }
        let registrar = Registrar(reference: try RegistrationReference.build(thumbnails: thumbnails).reference)
        let moved = renderer.render(index: 50, pose: PartRenderer.Pose(dx: Float(image.width) * 0.05, dy: -Float(image.width) * 0.03, degrees: 6))
        var samples: [Double] = []
        var located = 0
        for run in 0..<(runs + 5) {
            let t0 = SystemClock.shared.nowNs
            let view = try registrar.register(moved)
            let t1 = SystemClock.shared.nowNs
            if view.located { located += 1 }
            if run >= 5 { samples.append(Double(t1 - t0) / 1e6) }
        }
        samples.sort()
        let p99 = samples[min(samples.count - 1, Int((Double(samples.count) * 0.99).rounded(.up)) - 1)]
        print("registration (1 thread, \(image.width)x\(image.height) part moved 5%/3% and turned 6 deg; located \(located) of \(runs + 5))")
        print("  " + "stage".padding(28) + "median ms".padding(11) + "p99 ms".padding(9) + "min ms")
        print("  " + "register (view, ECC, warp)".padding(28) + fixed(samples[samples.count / 2], 2).padding(11) + fixed(p99, 2).padding(9)
              + fixed(samples[0], 2))
        if let preprocessMedianMs {
            print("  registration median = \(fixed(samples[samples.count / 2] / preprocessMedianMs, 2))x the 1-thread preprocess median")
        }
    }
}
