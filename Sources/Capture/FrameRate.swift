/// A frame interval as V4L2 states it (`v4l2_fract timeperframe`): seconds per frame as a fraction.
public struct FrameRate: Hashable, Sendable, CustomStringConvertible {
    /// Seconds per frame = numerator / denominator.
    public var numerator: UInt32
    public var denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// 1/fps seconds per frame.
    public init(framesPerSecond: Int) {
        precondition(framesPerSecond > 0, "frame rate must be positive")
        self.init(numerator: 1, denominator: UInt32(framesPerSecond))
    }

    public var framesPerSecond: Double {
        numerator == 0 ? 0 : Double(denominator) / Double(numerator)
    }

    /// True when the two rates differ by less than 0.5 % (drivers state 30 fps as 333333/10000000).
    public func isClose(to other: FrameRate) -> Bool {
        let a = framesPerSecond, b = other.framesPerSecond
        return abs(a - b) <= 0.005 * max(a, b)
    }

    /// "30 fps" or "29.97 fps"
    public var description: String {
        let fps = framesPerSecond
        let rounded = (fps * 100).rounded() / 100
        return rounded == rounded.rounded() ? "\(Int(rounded)) fps" : "\(rounded) fps"
    }
}
