/// What happens to a part whose inspection failed or whose verdict arrived after its pulse had to start.
///
/// `.reject` (default) scraps a possibly good part rather than ship a possibly bad one.
public enum FailSafePolicy: Sendable, Hashable {
    case reject
    case pass
}

/// The inspection's answer for one part.
public enum Verdict: Sendable, Hashable {
    case pass
    case reject
    /// The inspection could not decide (capture or inference error): the fail-safe policy decides.
    case inspectionFailed
}

/// Why a part ended up passed or rejected.
public enum DecisionBasis: Sendable, Hashable {
    /// The inspection's verdict.
    case verdict
    /// The inspection failed; the fail-safe policy decided.
    case inspectionFailed
    /// No verdict by the pulse start; the fail-safe policy decided.
    case late
    /// The part was registered after its pulse had to start: it has passed the ejector, so no pulse
    /// fires for it (a pulse now would hit the part behind it).
    case registeredTooLate
}

extension FailSafePolicy {
    /// Whether a part with `verdict` (nil: none yet) is rejected, and on what basis.
    public func decide(_ verdict: Verdict?) -> (reject: Bool, basis: DecisionBasis) {
        switch verdict {
        case .pass: return (false, .verdict)
        case .reject: return (true, .verdict)
        case .inspectionFailed: return (self == .reject, .inspectionFailed)
        case nil: return (self == .reject, .late)
        }
    }
}
