import Configuration
import Inspection
import LineIO
import Padim
import Platform
import Registration

/// Where the last part lay against the calibration reference (models fitted with registration).
public struct PartOffset: Sendable, Equatable {
    /// Offset of the part's centre in the region's pixels (x right, y down).
    public var dx: Double
    public var dy: Double
    /// Rotation, degrees, counter-clockwise positive.
    public var angleDegrees: Double
    /// Correlation of the corrected part with the reference.
    public var quality: Double
    /// false: beyond the tolerance ("not located"); `notLocatedReason` says which.
    public var located: Bool
    public var notLocatedReason: String?

    public init(dx: Double, dy: Double, angleDegrees: Double, quality: Double, located: Bool, notLocatedReason: String? = nil) {
        self.dx = dx
        self.dy = dy
        self.angleDegrees = angleDegrees
        self.quality = quality
        self.located = located
        self.notLocatedReason = notLocatedReason
    }

    init(_ view: RegisteredView) {
        let offset = view.regionOffset
        self.init(dx: offset.dx, dy: offset.dy, angleDegrees: view.alignment.angleDegrees, quality: view.alignment.quality,
                  located: view.located, notLocatedReason: view.notLocated)
    }

    /// The status file's and the plant link's form.
    public var json: JSON {
        .object(["dx_px": .number(dx), "dy_px": .number(dy), "angle_deg": .number(angleDegrees), "quality": .number(quality),
                 "located": .bool(located), "not_located_reason": notLocatedReason.map { .string($0) } ?? .null])
    }

    /// From a status file: nil when it is not an offset object.
    public init?(json: JSON) {
        guard let dx = json["dx_px"]?.doubleValue, let dy = json["dy_px"]?.doubleValue, let angle = json["angle_deg"]?.doubleValue,
              let quality = json["quality"]?.doubleValue else { return nil }
        self.init(dx: dx, dy: dy, angleDegrees: angle, quality: quality, located: json["located"]?.boolValue ?? true,
                  notLocatedReason: json["not_located_reason"]?.stringValue)
    }

    /// "dx 12.3 px, dy -4.0 px, angle 2.10 deg, quality 0.934".
    public var text: String {
        func r(_ x: Double, _ scale: Double) -> Double { (x * scale).rounded() / scale }
        return "dx \(r(dx, 10)) px, dy \(r(dy, 10)) px, angle \(r(angleDegrees, 100)) deg, quality \(r(quality, 1000))"
    }
}

extension RegistrationSettings {
    /// The tolerance and whether parts are corrected, as the inspector takes them.
    var use: RegistrationUse {
        let tolerance = RegistrationTolerance(maximumShiftPercent: maxShiftPercent, maximumAngleDegrees: maxAngleDegrees,
                                              minimumQuality: minQuality)
        return enabled ? .correct(tolerance) : .measureOnly(tolerance)
    }
}

extension ServiceCore {
    /// The inspector for `model`, with the configured position correction.
    func makeInspector(_ model: ModelFile) throws(InspectionError) -> Inspector {
        try Inspector(backbone: backbone, model: model, registration: settings.registration.use)
    }

    /// The verdict of an inspected part whose position was measured: a part beyond the tolerance
    /// is "not located", counted and logged with the offset found, and rejected unless the policy
    /// is to judge it by its (uncorrected) score.
    func positionVerdict(_ view: RegisteredView?, scoreVerdict: Verdict) -> Verdict {
        guard let view else {
            lastOffset = nil
            return scoreVerdict
        }
        let offset = PartOffset(view)
        lastOffset = offset
        guard !view.located else { return scoreVerdict }
        counters.notLocated += 1
        let policy = settings.registration.notLocatedPolicy
        logger.warning("part not located (\(view.notLocated ?? "")): \(offset.text); \(policy == .reject ? "rejected" : "inspected uncorrected")")
        return policy == .reject ? .reject : scoreVerdict
    }
}
