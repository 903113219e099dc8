/// [registration]: position correction of each part before PaDiM, for models fitted with it
/// (a model without a registration reference is inspected as it always was).
public struct RegistrationSettings: Sendable, Equatable {
    /// What happens to a part whose position is beyond the tolerance ("not located").
    public enum NotLocatedPolicy: String, Sendable, Equatable, CaseIterable {
        /// Rejected, whatever its score (the default: a misplaced part is a bad part).
        case reject
        /// Inspected uncorrected and judged by its score (only for lines where position varies
        /// more than the tolerance and PaDiM has seen it).
        case inspect
    }

    /// false: parts are not corrected even for a model fitted with registration (their position is
    /// still measured and reported).
    public var enabled: Bool
    /// Largest offset of the part's centre accepted, percent of the region's size.
    public var maxShiftPercent: Double
    /// Largest rotation accepted, degrees either way.
    public var maxAngleDegrees: Double
    /// Least correlation of the corrected part with the calibration reference (0...1).
    public var minQuality: Double
    public var notLocatedPolicy: NotLocatedPolicy

    public init(enabled: Bool = true, maxShiftPercent: Double = 10, maxAngleDegrees: Double = 12, minQuality: Double = 0.5,
                notLocatedPolicy: NotLocatedPolicy = .reject) {
        self.enabled = enabled
        self.maxShiftPercent = maxShiftPercent
        self.maxAngleDegrees = maxAngleDegrees
        self.minQuality = minQuality
        self.notLocatedPolicy = notLocatedPolicy
    }
}
