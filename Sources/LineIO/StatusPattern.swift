import Platform

/// What the ready/fault light tells the operator.
///
/// | mode          | pattern                                   | period  |
/// |---------------|-------------------------------------------|---------|
/// | `ready`       | steady on                                 | -       |
/// | `noModel`     | slow blink: 500 ms on, 500 ms off         | 1 s     |
/// | `calibrating` | fast blink: 125 ms on, 125 ms off         | 250 ms  |
/// | `fault`       | double blink: 150 on, 150 off, 150 on, 550 off | 1 s |
/// | `drift`       | on, with a 200 ms off blink every 2 s (inspecting, drift warning) | 2 s |
/// | `off`         | steady off (stopped, or safe state)       | -       |
public enum StatusMode: Sendable, Hashable, CaseIterable {
    case ready
    case noModel
    case calibrating
    case fault
    case off
    /// Inspecting, with the drift warning on (`DriftWatch`): the parts are still judged.
    case drift

    /// The pattern as on-intervals within one period; nil period means steady.
    var pattern: (periodNs: UInt64, on: [Range<UInt64>])? {
        let ms = Nanoseconds.milliseconds
        switch self {
        case .ready, .off: return nil
        case .noModel: return (ms(1000), [0..<ms(500)])
        case .calibrating: return (ms(250), [0..<ms(125)])
        case .fault: return (ms(1000), [0..<ms(150), ms(300)..<ms(450)])
        case .drift: return (ms(2000), [0..<ms(1800)])
        }
    }

    /// Whether the light is on `elapsedNs` after the mode was entered.
    public func isOn(elapsedNs: UInt64) -> Bool {
        guard let (period, on) = pattern else { return self == .ready }
        let phase = elapsedNs % period
        return on.contains { $0.contains(phase) }
    }

    /// The next elapsed time after `elapsedNs` at which the light changes; nil for a steady mode.
    public func nextChange(afterElapsedNs elapsedNs: UInt64) -> UInt64? {
        guard let (period, on) = pattern else { return nil }
        let cycleStart = elapsedNs - elapsedNs % period
        let phase = elapsedNs % period
        let edges = on.flatMap { [$0.lowerBound, $0.upperBound] }.filter { $0 > phase }
        if let next = edges.min() { return cycleStart + next }
        return cycleStart + period  // every pattern switches on at phase 0
    }
}
