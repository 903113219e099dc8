import Backbone
import Configuration
import DemoScene
import Testing
@testable import Service

/// The service's loop must pet its watchdog every few seconds, so no call of the calibration runs
/// the backbone on more than one part, not even the call that builds the registration reference
/// from the first twelve parts (a slow board took more than 10 s to put them all through at once,
/// and systemd killed the service in the middle of its calibration).
@Suite struct CalibrationPacingTests {
    @Test func noCallPutsMoreThanOnePartThroughTheBackbone() throws {
        var settings = ServiceSettings.defaults
        settings.calibration.frames = 16
        settings.calibration.minimumSpacing = .zero
        #expect(settings.registration.enabled, "registration is on by default: the reference is built from the first parts")
        let calibration = try Calibration(backbone: try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1), settings: settings)
        let renderer = PartRenderer()
        var added = 0, calls = 0
        func partsSoFar() -> Int { calibration.fitter.report.colourImages + calibration.fitter.report.greyImages }
        for index in 0..<16 {
            #expect(try calibration.offer(renderer.render(index: index, pose: .centred), captureNs: UInt64(index) * 1_000_000_000))
            let now = partsSoFar()
            #expect(now - added <= 1, "offer \(index) put \(now - added) parts through the backbone")
            added = now
        }
        while true {
            if case .done = calibration.phase { break }
            _ = try calibration.step(positions: 64)
            calls += 1
            let now = partsSoFar()
            #expect(now - added <= 1, "step \(calls) put \(now - added) parts through the backbone")
            added = now
            if calls > 10_000 { Issue.record("the calibration never finished"); break }
        }
        #expect(added == 16, "every part went into the fit or its hold-out")
        #expect(calibration.fitter.registrar != nil, "the fit registered its parts")
    }
}
