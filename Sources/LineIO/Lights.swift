import Platform

/// The three operator lights.
public enum LightKind: Sendable, Hashable, CaseIterable {
    /// On for `resultHoldNs` after a part is passed.
    case pass
    /// On for `resultHoldNs` after a part is rejected.
    case fail
    /// The ready/fault light: see `StatusMode` for its patterns.
    case status
}

/// A change the lights want on one line.
public struct LightChange: Sendable, Hashable {
    public var light: LightKind
    public var on: Bool
    public init(light: LightKind, on: Bool) {
        self.light = light
        self.on = on
    }
}

/// Pass/fail lights and the status light, as pure logic over time: tell it what happened, call
/// `advance(to:)` at or after `nextDeadlineNs`, apply the changes it returns.
public struct Lights: Sendable {
    public private(set) var mode: StatusMode
    var modeSinceNs: UInt64
    /// How long the pass or fail light stays on after a decision (a newer decision replaces it).
    public let resultHoldNs: UInt64
    var result: (rejected: Bool, untilNs: UInt64)?
    var shown: [LightKind: Bool] = [:]
    /// Something changed since the last `advance`: the next deadline is now.
    var needsAdvance = true

    public init(mode: StatusMode = .off, nowNs: UInt64, resultHoldNs: UInt64 = Nanoseconds.milliseconds(500)) {
        self.mode = mode
        self.modeSinceNs = nowNs
        self.resultHoldNs = resultHoldNs
        self.lastAdvanceNs = nowNs
    }

    /// Switches the status pattern; its cycle starts now.
    public mutating func setMode(_ newMode: StatusMode, nowNs: UInt64) {
        guard newMode != mode else { return }
        mode = newMode
        modeSinceNs = nowNs
        lastAdvanceNs = nowNs
        needsAdvance = true
        if newMode == .fault || newMode == .off { result = nil }
    }

    /// Shows a part's decision on the pass or fail light (ignored in fault and off modes).
    public mutating func show(rejected: Bool, nowNs: UInt64) {
        guard mode != .fault, mode != .off else { return }
        result = (rejected, nowNs + resultHoldNs)
        needsAdvance = true
    }

    /// The value each light should have at `nowNs`.
    public func wanted(_ light: LightKind, nowNs: UInt64) -> Bool {
        switch light {
        case .status: return mode.isOn(elapsedNs: nowNs &- modeSinceNs)
        case .pass: return result.map { !$0.rejected && nowNs < $0.untilNs } ?? false
        case .fail: return result.map { $0.rejected && nowNs < $0.untilNs } ?? false
        }
    }

    /// The next time a light changes by itself.
    public var nextDeadlineNs: UInt64? {
        if needsAdvance { return lastAdvanceNs }
        var best: UInt64?
        if let result { best = result.untilNs }
        if let next = mode.nextChange(afterElapsedNs: max(lastAdvanceNs, modeSinceNs) - modeSinceNs) {
            let at = modeSinceNs + next
            best = min(best ?? at, at)
        }
        return best
    }

    var lastAdvanceNs: UInt64

    /// The lights whose wanted value differs from what was last applied, as of `nowNs`.
    /// The caller applies them; they count as shown from then on.
    public mutating func advance(to nowNs: UInt64) -> [LightChange] {
        lastAdvanceNs = max(nowNs, modeSinceNs)
        needsAdvance = false
        var changes: [LightChange] = []
        for light in LightKind.allCases {
            let want = wanted(light, nowNs: nowNs)
            if shown[light] != want {
                shown[light] = want
                changes.append(LightChange(light: light, on: want))
            }
        }
        if let result, nowNs >= result.untilNs { self.result = nil }
        return changes
    }

    /// Forgets what was applied (after the safe state forced the lines), so the next advance re-applies.
    public mutating func markAllUnknown() {
        shown = [:]
        needsAdvance = true
    }
}
