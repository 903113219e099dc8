import Capture
import LineIO

extension LinesideConfiguration {
    /// A few lines saying what the configuration will do: source, model, calibration, lines, service.
    /// `lineside check-config` prints them after a successful check.
    public func summary() -> [String] {
        var lines: [String] = []
        switch source {
        case .camera(let camera):
            let c = camera.configuration
            var text = "source: camera \(c.devicePath), \(c.requestedFormat)"
            if let fps = c.framesPerSecond { text += ", \(fps) fps" }
            if let roi = c.regionOfInterest { text += ", roi \(roi.width)x\(roi.height) at (\(roi.x), \(roi.y))" }
            if c.strict { text += ", strict" }
            lines.append(text)
        case .replay(let replay):
            lines.append("source: replay \(replay.folder)" + (replay.framesPerSecond.map { " at \($0) fps" } ?? "")
                         + (replay.loops ? ", looping" : ""))
        }
        let model = service.model, calibration = service.calibration
        lines.append("model: \(model.path) (previous: \(model.previousPath)), \(model.threads) threads, "
                     + "without a model parts are \(model.noModelPolicy == .pass ? "passed" : "rejected")")
        lines.append("calibration: \(calibration.frames) frames, hold-out \(calibration.fit.holdoutFraction), "
                     + "margin \(calibration.fit.margin), \(calibration.fit.dimensions) dimensions")
        for (index, reject) in self.lines.rejectLines.enumerated() {
            let t = reject.timing
            lines.append("reject \(index): \(Self.describe(reject.output)), pulse \(t.pulseWidthNs / 1_000_000) ms "
                         + "after \(t.delayNs / 1_000_000) ms, gap \(t.minimumGapNs / 1_000_000) ms")
        }
        let outputs: [(String, OutputLineConfig?)] = [("pass light", self.lines.passLight), ("fail light", self.lines.failLight),
                                                      ("status light", self.lines.statusLight)]
        for (name, output) in outputs { lines.append("\(name): " + (output.map(Self.describe) ?? "none")) }
        let inputs: [(String, InputLineConfig?)] = [("button", self.lines.button), ("part trigger", self.lines.partTrigger)]
        for (name, input) in inputs { lines.append("\(name): " + (input.map(Self.describe) ?? "none")) }
        lines.append("fail-safe: \(self.lines.failSafe == .pass ? "pass" : "reject"); trigger: \(service.trigger.rawValue); "
                     + "status file \(service.statusFile); log level \(service.logLevel.rawValue)")
        lines.append(plantLinkSummary)
        lines.append(operatorSummary)
        return lines
    }

    static func describe(_ output: OutputLineConfig) -> String {
        "\(output.address)" + (output.activeLow ? " (active low)" : "")
    }

    static func describe(_ input: InputLineConfig) -> String {
        let bias = switch input.bias {
        case .pullUp: "pull-up"
        case .pullDown: "pull-down"
        case .disabled: "no bias"
        case .asIs: "bias as-is"
        }
        return "\(input.address) (\(input.activeLow ? "active low" : "active high"), \(bias))"
    }
}
