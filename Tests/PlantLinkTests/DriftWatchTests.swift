import Configuration
import Drift
import Imaging
import Testing

@Suite struct DriftWatchTests {
    static let steady = RegionStatistics(brightness: 120, contrast: 40)

    func watch(_ change: (inout DriftSettings) -> Void = { _ in }) -> DriftWatch {
        var settings = DriftSettings(referenceParts: 20, window: 10)
        change(&settings)
        return DriftWatch(settings: settings, threshold: 10)
    }

    @Test func noWarningOnSteadyParts() {
        var w = watch()
        for i in 0..<1000 {
            #expect(w.observeGoodPart(score: 4 + Float(i % 5) * 0.1, statistics: Self.steady) == nil)
        }
        #expect(!w.isWarning)
        #expect(abs((w.reference?.medianScore ?? 0) - 4.2) < 1e-6)
    }

    @Test func medianMovingHalfWayToTheThresholdWarnsAndClearsWithHysteresis() {
        var w = watch()
        for _ in 0..<20 { _ = w.observeGoodPart(score: 4, statistics: Self.steady) }
        // 6.9 is 48% of the way from 4 to 10: no warning; 7.0 is 50%: warning.
        for _ in 0..<10 { #expect(w.observeGoodPart(score: 6.9, statistics: Self.steady) == nil) }
        var changes: [DriftWatch.Change] = []
        for _ in 0..<10 { if let c = w.observeGoodPart(score: 7.0, statistics: Self.steady) { changes.append(c) } }
        #expect(changes.count == 1)
        guard case .started(let reading)? = changes.first else { Issue.record("no start"); return }
        #expect(reading.reasons == ["score"])
        // 6.5 (42%) is inside the limit but not inside 80% of it (40%): still warning.
        for _ in 0..<10 { #expect(w.observeGoodPart(score: 6.5, statistics: Self.steady) == nil) }
        #expect(w.isWarning)
        var cleared = false
        for _ in 0..<10 { if case .cleared? = w.observeGoodPart(score: 6.3, statistics: Self.steady) { cleared = true } }
        #expect(cleared && !w.isWarning)
    }

    @Test func brightnessLeavingItsBandWarns() {
        var w = watch()
        for _ in 0..<20 { _ = w.observeGoodPart(score: 4, statistics: Self.steady) }
        var started: DriftReading?
        for _ in 0..<10 {
            if case .started(let r)? = w.observeGoodPart(score: 4, statistics: RegionStatistics(brightness: 113, contrast: 40)) { started = r }
        }
        #expect(started?.reasons == ["brightness"])
        #expect(abs((started?.brightnessRatio ?? 0) - 113.0 / 120) < 1e-9)
    }

    @Test func disabledOrNonFiniteScoresAreIgnored() {
        var w = watch { $0.enabled = false }
        for _ in 0..<100 { #expect(w.observeGoodPart(score: 9, statistics: Self.steady) == nil) }
        var v = watch()
        for _ in 0..<100 { #expect(v.observeGoodPart(score: .nan, statistics: Self.steady) == nil) }
        #expect(v.goodParts == 0)
    }

    @Test func restartTakesANewReferenceAndEndsTheWarning() {
        var w = watch()
        for _ in 0..<20 { _ = w.observeGoodPart(score: 4, statistics: Self.steady) }
        for _ in 0..<10 { _ = w.observeGoodPart(score: 9, statistics: Self.steady) }
        #expect(w.isWarning)
        guard case .cleared? = w.restart(threshold: 12) else { Issue.record("restart did not clear"); return }
        #expect(!w.isWarning && w.reference == nil && w.threshold == 12)
    }

    @Test func regionStatisticsOfAFlatAndAHalfImage() {
        let flat = Image(width: 8, height: 8, layout: .grey, pixels: [UInt8](repeating: 100, count: 64))
        #expect(RegionStatistics.of(flat, step: 1) == RegionStatistics(brightness: 100, contrast: 0))
        var pixels = [UInt8](repeating: 0, count: 64)
        for i in 32..<64 { pixels[i] = 200 }
        let half = RegionStatistics.of(Image(width: 8, height: 8, layout: .grey, pixels: pixels), step: 1)
        #expect(half.brightness == 100 && half.contrast == 100)
    }
}
