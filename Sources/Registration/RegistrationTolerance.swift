/// The largest correction accepted and the least match quality: beyond either the part is "not
/// located" (a verdict of its own: a part misplaced on its board or fixture is caught, not
/// corrected away).
public struct RegistrationTolerance: Sendable, Equatable {
    /// Largest offset of the part's centre, percent of the region's size.
    public var maximumShiftPercent: Double
    /// Largest rotation, degrees either way.
    public var maximumAngleDegrees: Double
    /// Least correlation of the corrected part with the reference (-1...1).
    public var minimumQuality: Double

    public init(maximumShiftPercent: Double = 10, maximumAngleDegrees: Double = 12, minimumQuality: Double = 0.5) {
        self.maximumShiftPercent = maximumShiftPercent
        self.maximumAngleDegrees = maximumAngleDegrees
        self.minimumQuality = minimumQuality
    }

    /// nil when `alignment` is inside the tolerance, else why it is not ("shift 14.2% > 10%").
    public func violation(_ alignment: Alignment) -> String? {
        if alignment.quality.isNaN || alignment.quality < minimumQuality {
            return "match quality \(rounded(alignment.quality, 3)) < \(minimumQuality)"
        }
        let shift = alignment.shiftPercent
        if !(shift <= maximumShiftPercent) { return "shift \(rounded(shift, 1))% > \(maximumShiftPercent)%" }
        let angle = abs(alignment.angleDegrees)
        if !(angle <= maximumAngleDegrees) { return "angle \(rounded(angle, 2)) deg > \(maximumAngleDegrees) deg" }
        return nil
    }
}
