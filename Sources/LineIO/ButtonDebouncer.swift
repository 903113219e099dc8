import Platform

/// What the operator did with the calibration button.
public enum ButtonGesture: Sendable, Hashable {
    /// Released before the long-press threshold: cancels a running fit. `atNs` is the release time.
    case shortPress(atNs: UInt64)
    /// Held for the long-press threshold: starts a fit. Reported while still held, at `atNs`
    /// (press time + threshold), so the status light changes under the operator's finger.
    case longPress(atNs: UInt64)
}

/// Debounce and press-length logic for one button, fed with the kernel's edge timestamps.
///
/// A level counts once it has been stable for `debounceNs` (contact bounce shorter than that is
/// ignored); the press and release times are those of the last bounce edge, where the contact
/// settled, so bouncing changes a press's length by the bounce time at most.
public struct ButtonDebouncer: Sendable {
    public let debounceNs: UInt64
    public let longPressNs: UInt64
    var rawPressed: Bool
    var rawSinceNs: UInt64
    public private(set) var pressed: Bool
    var pressedSinceNs: UInt64
    var longPressReported = false

    /// `pressedNow`: the button's level when the line was requested (held at boot counts as held,
    /// but reports nothing until released and pressed again).
    public init(debounceNs: UInt64 = Nanoseconds.milliseconds(30), longPressNs: UInt64 = Nanoseconds.milliseconds(2000),
                pressedNow: Bool = false, nowNs: UInt64 = 0) {
        precondition(longPressNs > debounceNs, "a long press must outlast the debounce window")
        self.debounceNs = debounceNs
        self.longPressNs = longPressNs
        rawPressed = pressedNow
        rawSinceNs = nowNs
        pressed = pressedNow
        pressedSinceNs = nowNs
        longPressReported = pressedNow
    }

    /// Feeds one raw edge (`pressed`: the line became active) at its kernel timestamp. Edges must come
    /// in time order; what they settle before `atNs` is reported now.
    public mutating func feed(pressed edgePressed: Bool, atNs: UInt64) -> [ButtonGesture] {
        let gestures = advance(to: atNs)
        if edgePressed != rawPressed {
            rawPressed = edgePressed
            rawSinceNs = atNs
        }
        return gestures
    }

    /// The next time `advance(to:)` may report something: the end of a debounce window or the
    /// long-press threshold.
    public var nextDeadlineNs: UInt64? {
        if rawPressed != pressed { return rawSinceNs + debounceNs }
        if pressed, !longPressReported { return pressedSinceNs + longPressNs }
        return nil
    }

    /// Settles the level and reports gestures as of `nowNs`.
    public mutating func advance(to nowNs: UInt64) -> [ButtonGesture] {
        var gestures: [ButtonGesture] = []
        if rawPressed != pressed, nowNs >= rawSinceNs + debounceNs {
            pressed = rawPressed
            if pressed {
                pressedSinceNs = rawSinceNs
                longPressReported = false
            } else if !longPressReported {
                let heldNs = rawSinceNs - pressedSinceNs
                gestures.append(heldNs >= longPressNs ? .longPress(atNs: pressedSinceNs + longPressNs)
                                                      : .shortPress(atNs: rawSinceNs))
                longPressReported = true
            }
        }
        // A release already seen (still debouncing) before the threshold is not a long press.
        let stillHeldAtThreshold = rawPressed || rawSinceNs >= pressedSinceNs + longPressNs
        if pressed, !longPressReported, stillHeldAtThreshold, nowNs >= pressedSinceNs + longPressNs {
            gestures.append(.longPress(atNs: pressedSinceNs + longPressNs))
            longPressReported = true
        }
        return gestures
    }
}
