import DemoScene
import Imaging
import Platform
import Registration

/// `lineside bench`'s registration stage: one part's position correction on one thread (resize to
/// the 256 view, thumbnail + phase correlation + ECC, warpAffine), on a generated part moved and
/// turned within the tolerance, against a reference from 12 generated parts. Baseline in the same
/// run: the preprocessing stage the frame path already has (`preprocessMedianMs`), the resize to
/// the view alone, a frame's preprocessing without registration, and the same registration with
/// OpenCV's own ECC (`AlignmentSettings.Refiner.openCV`), all in the same loop.
extension BenchCommand {
    static func registrationStage(image: Image, runs: Int, preprocessMedianMs: Double?) throws {
        let renderer = PartRenderer(size: image.width)
        let thumbnails = try (0..<12).map { try Registrar.thumbnail(renderer.render(index: $0, pose: .centred)) }
        let reference = try RegistrationReference.build(thumbnails: thumbnails).reference
        let registrar = Registrar(reference: reference)
        var openCVSettings = AlignmentSettings()
        openCVSettings.refiner = .openCV
        let withOpenCV = Registrar(reference: reference, settings: openCVSettings)
        let moved = renderer.render(index: 50, pose: PartRenderer.Pose(dx: Float(image.width) * 0.05, dy: -Float(image.width) * 0.03, degrees: 6))
        // Baselines in the same loop: the resize to the 256 view alone (the preprocessing's own
        // filter), and a frame's preprocessing without registration (resize + crop to the input).
        var preprocessor = Preprocessor()
        var view = [UInt8](repeating: 0, count: Preprocessor.viewCount(channels: moved.layout.channels))
        var input = [Int8](repeating: 0, count: Preprocessor.inputCount)
        var registers: [Double] = [], resizes: [Double] = [], plains: [Double] = [], openCVs: [Double] = []
        var located = 0, worstShift = 0.0, worstAngle = 0.0
        for run in 0..<(runs + 5) {
            let t0 = SystemClock.shared.nowNs
            let registered = try registrar.register(moved)
            input.withUnsafeMutableBufferPointer { registrar.writeInput(into: $0) }  // the view's crop
            let t1 = SystemClock.shared.nowNs
            view.withUnsafeMutableBufferPointer { preprocessor.resizeToView(moved, into: $0) }
            let t2 = SystemClock.shared.nowNs
            input.withUnsafeMutableBufferPointer { preprocessor.prepare(moved, into: $0) }
            let t3 = SystemClock.shared.nowNs
            let compared = try withOpenCV.register(moved)
            let t4 = SystemClock.shared.nowNs
            if registered.located { located += 1 }
            let a = registered.regionOffset, b = compared.regionOffset
            worstShift = max(worstShift, abs(a.dx - b.dx), abs(a.dy - b.dy))
            worstAngle = max(worstAngle, abs(registered.alignment.angleDegrees - compared.alignment.angleDegrees))
            if run >= 5 {
                registers.append(Double(t1 - t0) / 1e6)
                resizes.append(Double(t2 - t1) / 1e6)
                plains.append(Double(t3 - t2) / 1e6)
                openCVs.append(Double(t4 - t3) / 1e6)
            }
        }
        func stats(_ xs: [Double]) -> (median: Double, p99: Double, min: Double) {
            let s = xs.sorted()
            return (s[s.count / 2], s[min(s.count - 1, Int((Double(s.count) * 0.99).rounded(.up)) - 1)], s[0])
        }
        func row(_ name: String, _ xs: [Double]) -> String {
            let f = stats(xs)
            return "  " + name.padding(44) + fixed(f.median, 2).padding(11) + fixed(f.p99, 2).padding(9) + fixed(f.min, 2)
        }
        let r = stats(registers), plain = stats(plains)
        print("registration (1 thread, \(image.width)x\(image.height) part moved 5%/3% and turned 6 deg; located \(located) of \(runs + 5))")
        print("  " + "stage".padding(44) + "median ms".padding(11) + "p99 ms".padding(9) + "min ms")
        print(row("register (view, thumbnail, ECC, crop warp)", registers))
        print(row("  of it: resize to the 256 view", resizes))
        print(row("preprocess without registration (baseline)", plains))
        print(row("register with cv::findTransformECC (to compare)", openCVs))
        print("  fused ECC against cv::findTransformECC: offsets within \(fixed(worstShift, 3)) px, angles within \(fixed(worstAngle, 3)) deg")
        print("  registration's cost over the baseline: median \(fixed(r.median - plain.median, 2)) ms, min \(fixed(r.min - plain.min, 2)) ms")
        if let preprocessMedianMs {
            print("  registration median = \(fixed(r.median / preprocessMedianMs, 2))x the 1-thread preprocess median")
        }
    }
}
