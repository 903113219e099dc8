/// Identifies one part from capture to decision. The caller chooses it (e.g. the frame's sequence
/// number), so threads other than the line I/O loop can name a part before the loop has seen it.
public struct PartID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "part \(rawValue)" }
}

/// Where one reject line's ejector sits and how it is fired.
public struct RejectTiming: Sendable, Hashable {
    /// From the capture timestamp to the pulse start: the part's travel time to the ejector.
    public var delayNs: UInt64
    /// How long the ejector is driven for one part.
    public var pulseWidthNs: UInt64
    /// Shortest inactive time the ejector needs between two pulses (a solenoid's return time; 0 for
    /// an air jet). Two rejected parts whose pulses would overlap, or leave a shorter gap than this,
    /// get ONE merged pulse from the first start to the last end: neither part's blast is shortened
    /// or moved, which cutting or delaying a pulse would do.
    public var minimumGapNs: UInt64

    public init(delayNs: UInt64, pulseWidthNs: UInt64, minimumGapNs: UInt64 = 0) {
        self.delayNs = delayNs
        self.pulseWidthNs = pulseWidthNs
        self.minimumGapNs = minimumGapNs
    }
}

/// What the scheduler decided for one part, at its pulse start.
public struct PartDecision: Sendable, Hashable {
    public var part: PartID
    public var rejectLine: Int
    public var captureNs: UInt64
    /// Target pulse start: capture + delay.
    public var pulseStartNs: UInt64
    public var rejected: Bool
    public var basis: DecisionBasis
}

/// Result of handing a verdict to the scheduler.
public enum ResolveOutcome: Sendable, Hashable {
    /// Recorded; it will decide the part at its pulse start.
    case recorded
    /// The part is not in flight: it was already decided (its pulse start passed, so the fail-safe
    /// policy applied: the verdict came too late), abandoned by a fault, or never registered.
    case notInFlight
}

/// A change the scheduler wants on a reject line.
public struct RejectLineChange: Sendable, Hashable {
    public var rejectLine: Int
    public var active: Bool
    public init(rejectLine: Int, active: Bool) {
        self.rejectLine = rejectLine
        self.active = active
    }
}

/// Parts in flight between the camera and the ejectors, and the reject pulses they need.
///
/// Pure logic driven by time: `register` a part at capture, `resolve` it when the inspection answers,
/// call `advance(to:)` at or after `nextDeadlineNs`; it returns the line changes to apply now and the
/// parts decided. Each reject line keeps its parts in capture order; no part is dropped (a full line
/// throws instead). A pulse starts when the part reaches the ejector and lasts `pulseWidthNs` from
/// the moment it is actually switched on (a late wake-up moves the pulse, never shortens it).
public struct RejectScheduler: Sendable {
    struct InFlight: Sendable {
        var id: PartID
        var captureNs: UInt64
        var pulseStartNs: UInt64
        var verdict: Verdict?
        /// Registered after its pulse start: decided without a pulse.
        var missed = false
    }

    struct Line: Sendable {
        var timing: RejectTiming
        var queue: [InFlight] = []
        var head = 0
        var active = false
        var activeUntilNs: UInt64 = 0
        var inFlight: Int { queue.count - head }
        var first: InFlight? { head < queue.count ? queue[head] : nil }
    }

    public let policy: FailSafePolicy
    public let maximumPartsInFlight: Int
    var lines: [Line]

    public init(timings: [RejectTiming], policy: FailSafePolicy = .reject, maximumPartsInFlight: Int = 256) {
        precondition(!timings.isEmpty, "a reject scheduler needs at least one reject line")
        self.lines = timings.map { Line(timing: $0) }
        self.policy = policy
        self.maximumPartsInFlight = maximumPartsInFlight
    }

    public var rejectLineCount: Int { lines.count }
    public func isActive(_ rejectLine: Int) -> Bool { lines[rejectLine].active }
    /// Parts registered and not yet decided, over all lines.
    public var partsInFlight: Int { lines.reduce(0) { $0 + $1.inFlight } }

    /// Registers a part captured at `captureNs` (monotonic ns; the trigger's kernel timestamp or the
    /// frame's V4L2 timestamp) that will pass the ejector of `rejectLine`. A part registered at
    /// `nowNs` after its pulse start has already passed the ejector: it is decided at the next
    /// `advance` with basis `.registeredTooLate` and no pulse.
    public mutating func register(_ id: PartID, captureNs: UInt64, rejectLine: Int = 0,
                                  nowNs: UInt64? = nil) throws(LineIOError) {
        guard lines.indices.contains(rejectLine) else {
            throw .unknownRejectLine(rejectLine, configured: lines.count)
        }
        guard lines[rejectLine].inFlight < maximumPartsInFlight else {
            throw .tooManyPartsInFlight(rejectLine: rejectLine, limit: maximumPartsInFlight)
        }
        guard !lines.contains(where: { $0.queue[$0.head...].contains { $0.id == id } }) else {
            throw .duplicatePart(id)
        }
        let pulseStartNs = captureNs &+ lines[rejectLine].timing.delayNs
        let part = InFlight(id: id, captureNs: captureNs, pulseStartNs: pulseStartNs, verdict: nil,
                            missed: nowNs.map { $0 > pulseStartNs } ?? false)
        lines[rejectLine].compactIfWorthIt()
        // Keep capture order even if captures are registered slightly out of order.
        var index = lines[rejectLine].queue.count
        while index > lines[rejectLine].head, lines[rejectLine].queue[index - 1].captureNs > captureNs {
            index -= 1
        }
        lines[rejectLine].queue.insert(part, at: index)
    }

    /// Records the inspection's verdict for a part still in flight.
    public mutating func resolve(_ part: PartID, verdict: Verdict) -> ResolveOutcome {
        for l in lines.indices {
            for i in lines[l].head..<lines[l].queue.count where lines[l].queue[i].id == part {
                lines[l].queue[i].verdict = verdict
                return .recorded
            }
        }
        return .notInFlight
    }

    /// The earliest time `advance(to:)` has work: a pulse to start or to end. Nil when idle.
    public var nextDeadlineNs: UInt64? {
        var best: UInt64?
        for line in lines {
            if let start = line.first?.pulseStartNs { best = min(best ?? start, start) }
            if line.active { best = min(best ?? line.activeUntilNs, line.activeUntilNs) }
        }
        return best
    }

    /// Decides every part whose pulse start is due and ends every pulse that is over, as of `nowNs`.
    /// Returns the line changes to apply now (only real changes) and the decisions, in time order.
    public mutating func advance(to nowNs: UInt64) -> (changes: [RejectLineChange], decisions: [PartDecision]) {
        var changes: [RejectLineChange] = []
        var decisions: [PartDecision] = []
        for l in lines.indices {
            let wasActive = lines[l].active
            advanceLine(l, to: nowNs, decisions: &decisions)
            if lines[l].active != wasActive {
                changes.append(RejectLineChange(rejectLine: l, active: lines[l].active))
            }
        }
        if decisions.count > 1 { decisions.sort { $0.pulseStartNs < $1.pulseStartNs } }
        return (changes, decisions)
    }

    /// Reject line `rejectLine` was actually switched on at `atNs` (the clock read after the driver
    /// call returned): its pulse lasts its full width from then, never less.
    public mutating func switchedOn(_ rejectLine: Int, atNs: UInt64) {
        guard lines.indices.contains(rejectLine), lines[rejectLine].active else { return }
        lines[rejectLine].activeUntilNs = max(lines[rejectLine].activeUntilNs, atNs &+ lines[rejectLine].timing.pulseWidthNs)
    }

    /// Abandons every part in flight and switches every line off (the fault path); returns the parts.
    public mutating func abandonAll() -> [PartID] {
        var abandoned: [PartID] = []
        for l in lines.indices {
            abandoned += lines[l].queue[lines[l].head...].map(\.id)
            lines[l].queue.removeAll()
            lines[l].head = 0
            lines[l].active = false
        }
        return abandoned
    }

    private mutating func advanceLine(_ l: Int, to nowNs: UInt64, decisions: inout [PartDecision]) {
        while true {
            let startDue = lines[l].first.map { $0.pulseStartNs <= nowNs } ?? false
            let endDue = lines[l].active && lines[l].activeUntilNs <= nowNs
            // A start at or before the current pulse's end is handled first: it merges.
            if startDue, !lines[l].active || lines[l].first!.pulseStartNs <= lines[l].activeUntilNs {
                let part = lines[l].queue[lines[l].head]
                lines[l].head += 1
                let (reject, basis) = part.missed ? (false, .registeredTooLate) : policy.decide(part.verdict)
                decisions.append(PartDecision(part: part.id, rejectLine: l, captureNs: part.captureNs,
                                              pulseStartNs: part.pulseStartNs, rejected: reject, basis: basis))
                if reject {
                    let end = nowNs + lines[l].timing.pulseWidthNs
                    lines[l].activeUntilNs = lines[l].active ? max(lines[l].activeUntilNs, end) : end
                    lines[l].active = true
                }
            } else if endDue {
                if let next = lines[l].first,
                   next.pulseStartNs < lines[l].activeUntilNs + lines[l].timing.minimumGapNs,
                   !next.missed, policy.decide(next.verdict).reject, next.verdict != nil {
                    // The next known reject would follow closer than the ejector can re-fire: hold on
                    // until its start, where it extends this pulse.
                    lines[l].activeUntilNs = next.pulseStartNs
                    if next.pulseStartNs > nowNs { return }
                } else {
                    lines[l].active = false
                }
            } else {
                return
            }
        }
    }
}

extension RejectScheduler.Line {
    /// Drops decided parts from the front of the queue once they are half of it.
    mutating func compactIfWorthIt() {
        if head > 32, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
