import Configuration
import Imaging

/// Brightness and contrast of the region handed to the model: the mean and the standard deviation
/// of the grey level (channel mean) over every `step`-th pixel in each direction.
public struct RegionStatistics: Sendable, Equatable {
    public var brightness: Double
    public var contrast: Double

    public init(brightness: Double, contrast: Double) {
        self.brightness = brightness
        self.contrast = contrast
    }

    public static func of(_ image: Image, step: Int = 4) -> RegionStatistics {
        let channels = image.layout.channels
        guard image.width > 0, image.height > 0, image.pixels.count >= image.width * image.height * channels else {
            return RegionStatistics(brightness: 0, contrast: 0)
        }
        var sum = 0.0, sumSquares = 0.0, count = 0.0
        image.pixels.withUnsafeBufferPointer { pixels in
            var y = 0
            while y < image.height {
                var x = 0
                let row = y * image.width * channels
                while x < image.width {
                    let base = row + x * channels
                    var grey = 0
                    for c in 0..<channels { grey += Int(pixels[base + c]) }
                    let value = Double(grey) / Double(channels)
                    sum += value
                    sumSquares += value * value
                    count += 1
                    x += step
                }
                y += step
            }
        }
        let mean = sum / count
        return RegionStatistics(brightness: mean, contrast: max(0, sumSquares / count - mean * mean).squareRoot())
    }
}

/// The drift watch: warns before lighting drift or a dirty lens turns into false rejects.
///
/// The rule (documented in board/README.md, "Drift watch"):
/// 1. Reference: the first `reference_parts` good (passed) parts after a model comes into use
///    (right after a calibration these are parts under the calibration's conditions): their
///    median score m0, mean brightness b0 and mean contrast c0.
/// 2. Window: the last `window` good parts: median score m, mean brightness b, mean contrast c.
/// 3. Warning when the window is full and any of
///    - score: (m - m0) / (T - m0) >= `score_fraction` (T: the model's threshold),
///    - brightness: |b / b0 - 1| > `brightness_band`,
///    - contrast: |c / c0 - 1| > `contrast_band`.
/// 4. The warning clears when every measure is back inside 80% of its limit (hysteresis, so a
///    value on the edge does not flicker).
/// Rejected parts are not in the statistics (they are what the threshold is for).
public struct DriftWatch: Sendable {
    public enum Change: Sendable, Equatable {
        case started(DriftReading)
        case cleared(DriftReading)
    }

    public let settings: DriftSettings
    public private(set) var threshold: Float
    public private(set) var reference: (medianScore: Double, brightness: Double, contrast: Double)?
    public private(set) var isWarning = false
    public private(set) var goodParts: UInt64 = 0
    public private(set) var last: DriftReading?
    private var referenceScores: [Float] = []
    private var referenceStatistics: [RegionStatistics] = []
    private var scores: [Float]
    private var statistics: [RegionStatistics]
    private var next = 0
    private var filled = 0
    /// The warning clears inside this fraction of each limit.
    public static let clearRatio = 0.8

    public init(settings: DriftSettings, threshold: Float) {
        self.settings = settings
        self.threshold = threshold
        scores = [Float](repeating: 0, count: settings.window)
        statistics = [RegionStatistics](repeating: RegionStatistics(brightness: 0, contrast: 0), count: settings.window)
    }

    /// A new model (calibration, reload): a new reference; the warning ends.
    public mutating func restart(threshold: Float) -> Change? {
        let wasWarning = isWarning
        self = DriftWatch(settings: settings, threshold: threshold)
        if wasWarning { return .cleared(DriftReading(scoreProgress: 0, brightnessRatio: 1, contrastRatio: 1, medianScore: 0, reasons: [])) }
        return nil
    }

    /// One good part. Returns a change of the warning, if any.
    public mutating func observeGoodPart(score: Float, statistics region: RegionStatistics) -> Change? {
        guard settings.enabled, score.isFinite else { return nil }
        goodParts += 1
        guard let reference else {
            referenceScores.append(score)
            referenceStatistics.append(region)
            if referenceScores.count >= settings.referenceParts {
                let b0 = referenceStatistics.reduce(0) { $0 + $1.brightness } / Double(referenceStatistics.count)
                let c0 = referenceStatistics.reduce(0) { $0 + $1.contrast } / Double(referenceStatistics.count)
                self.reference = (Self.median(referenceScores), b0, c0)
                referenceScores = []
                referenceStatistics = []
            }
            return nil
        }
        scores[next] = score
        statistics[next] = region
        next = (next + 1) % settings.window
        filled = min(filled + 1, settings.window)
        guard filled == settings.window else { return nil }
        let m = Self.median(scores)
        let b = statistics.reduce(0) { $0 + $1.brightness } / Double(settings.window)
        let c = statistics.reduce(0) { $0 + $1.contrast } / Double(settings.window)
        let span = Double(threshold) - reference.medianScore
        let progress = span > 0 ? (m - reference.medianScore) / span : 0
        let brightnessRatio = reference.brightness > 0 ? b / reference.brightness : 1
        let contrastRatio = reference.contrast > 0 ? c / reference.contrast : 1
        func over(_ scale: Double) -> [String] {
            var reasons: [String] = []
            if progress >= settings.scoreFraction * scale { reasons.append("score") }
            if abs(brightnessRatio - 1) > settings.brightnessBand * scale { reasons.append("brightness") }
            if abs(contrastRatio - 1) > settings.contrastBand * scale { reasons.append("contrast") }
            return reasons
        }
        let warnReasons = over(1)
        let reading = DriftReading(scoreProgress: progress, brightnessRatio: brightnessRatio, contrastRatio: contrastRatio,
                                   medianScore: m, reasons: isWarning ? over(Self.clearRatio) : warnReasons)
        last = reading
        if !isWarning, !warnReasons.isEmpty {
            isWarning = true
            return .started(reading)
        }
        if isWarning, reading.reasons.isEmpty {
            isWarning = false
            return .cleared(reading)
        }
        return nil
    }

    static func median(_ values: [Float]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
    }
}

/// One evaluation of the window against the reference.
public struct DriftReading: Sendable, Equatable {
    /// (m - m0) / (T - m0): 0 at the reference, 1 at the threshold.
    public var scoreProgress: Double
    /// b / b0 and c / c0.
    public var brightnessRatio: Double
    public var contrastRatio: Double
    public var medianScore: Double
    /// Which measures are past their limits ("score", "brightness", "contrast").
    public var reasons: [String]

    public init(scoreProgress: Double, brightnessRatio: Double, contrastRatio: Double, medianScore: Double, reasons: [String]) {
        self.scoreProgress = scoreProgress
        self.brightnessRatio = brightnessRatio
        self.contrastRatio = contrastRatio
        self.medianScore = medianScore
        self.reasons = reasons
    }

    public var text: String {
        func f(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
        return "median score \(f(medianScore)) (\(f(scoreProgress * 100))% of the way to the threshold), brightness x\(f(brightnessRatio)), contrast x\(f(contrastRatio))"
    }
}
