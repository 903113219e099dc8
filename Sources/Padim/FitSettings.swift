/// How a PaDiM model is fitted from good images: the channel draw, the covariance regulariser and
/// the threshold rule (every k-th image, k = round(1 / holdout), is held out of the fit; threshold =
/// margin x the highest held-out score). The one home of these defaults: the configuration schema's
/// [calibration] keys and `lineside fit` take theirs from here.
public struct FitSettings: Sendable, Equatable {
    public var dimensions = 100
    public var seed: UInt64 = 1234
    public var epsilon = 0.01
    public var holdoutFraction = 0.1
    public var margin: Float = 1.1

    public init() {}
}
