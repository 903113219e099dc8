import Glibc

/// Where a part sits relative to the calibration reference: a Euclidean warp in the model's
/// normalised view (the region resized to `RegistrationGeometry.view` pixels square), mapping
/// reference coordinates to the frame's (`frame(warp * p) ~ reference(p)`), and how well the
/// part matched once corrected.
public struct Alignment: Sendable, Equatable {
    /// Row-major 2x3 {a, b, tx, c, d, ty}, view pixels, reference -> frame.
    public var matrix: [Double]
    /// Correlation of the corrected thumbnail with the reference, -1...1.
    public var quality: Double
    /// Whether the ECC refinement converged (otherwise the phase-correlation translation stands).
    public var refined: Bool

    public init(matrix: [Double], quality: Double, refined: Bool) {
        precondition(matrix.count == 6, "a 2x3 matrix")
        self.matrix = matrix
        self.quality = quality
        self.refined = refined
    }

    public static let identity = Alignment(matrix: [1, 0, 0, 0, 1, 0], quality: 1, refined: false)

    /// Rotation of the part against the reference, degrees, counter-clockwise on screen positive
    /// (a part turned clockwise reads negative). With y pointing down, [cos -sin; sin cos] turns
    /// clockwise on screen, hence the minus.
    public var angleDegrees: Double { -atan2Degrees(matrix[3], matrix[0]) }

    /// Where the reference's centre lies in the frame's view, minus the centre: the part's offset,
    /// view pixels.
    public var viewOffset: (dx: Double, dy: Double) {
        let c = Double(RegistrationGeometry.view - 1) / 2
        return (matrix[0] * c + matrix[1] * c + matrix[2] - c, matrix[3] * c + matrix[4] * c + matrix[5] - c)
    }

    /// The offset in the region's own pixels (a region of `width` x `height` pixels).
    public func regionOffset(width: Int, height: Int) -> (dx: Double, dy: Double) {
        let o = viewOffset, scale = 1 / Double(RegistrationGeometry.view)
        return (o.dx * Double(width) * scale, o.dy * Double(height) * scale)
    }

    /// The offset as a percentage of the region's size (the tolerance's unit).
    public var shiftPercent: Double {
        let o = viewOffset
        return (o.dx * o.dx + o.dy * o.dy).squareRoot() * 100 / Double(RegistrationGeometry.view)
    }
}

/// The sizes registration works at.
public enum RegistrationGeometry {
    /// The normalised view a region is resized to before it is corrected (the preprocessing's
    /// 256x256 before its centre crop of 224).
    public static let view = 256
    /// The grey thumbnail the warp is estimated on.
    public static let thumbnail = 64
}

func atan2Degrees(_ y: Double, _ x: Double) -> Double { atan2(y, x) * 180 / Double.pi }

/// `x` rounded to `places` decimals, for log lines (Double's own description of the rounded value).
func rounded(_ x: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (x * scale).rounded() / scale
}
