/// Per-axis weights of the triangle (bilinear) resampling filter, antialiased when shrinking.
///
/// This is the preprocessing spec shared with tools/preprocess.py (the float32 reference): for an
/// axis of `input` samples resized to `output`, scale = input/output, support = max(scale, 1);
/// output sample x is centred at (x + 0.5) * scale and takes source taps t in
/// [floor(centre - support), ceil(centre + support)) clipped to the input, each weighted
/// max(0, 1 - |(t + 0.5 - centre) / support|), normalised to sum 1.
public struct ResampleFilter: Sendable, Equatable {
    public let inputSize: Int
    public let outputSize: Int
    /// First source index of each output sample.
    public private(set) var starts: [Int] = []
    /// Number of taps of each output sample.
    public private(set) var counts: [Int] = []
    /// `maximumTaps` weights per output sample (unused tail zero).
    public private(set) var weights: [Float] = []
    public let maximumTaps: Int

    public init(inputSize: Int, outputSize: Int) {
        precondition(inputSize > 0 && outputSize > 0, "resample sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let scale = Double(inputSize) / Double(outputSize)
        let support = max(scale, 1.0)
        maximumTaps = Int((2 * support).rounded(.up)) + 2
        weights = [Float](repeating: 0, count: outputSize * maximumTaps)
        for x in 0..<outputSize {
            let centre = (Double(x) + 0.5) * scale
            let first = max(0, Int((centre - support).rounded(.down)))
            let end = min(inputSize, Int((centre + support).rounded(.up)))
            var raw: [Double] = []
            for t in first..<end { raw.append(max(0, 1 - abs((Double(t) + 0.5 - centre) / support))) }
            // Trim zero-weight taps at both ends so the inner loops stay short.
            var lo = 0, hi = raw.count
            while lo < hi - 1, raw[lo] == 0 { lo += 1 }
            while hi > lo + 1, raw[hi - 1] == 0 { hi -= 1 }
            let kept = raw[lo..<hi]
            let total = kept.reduce(0, +)
            starts.append(first + lo)
            counts.append(kept.count)
            for (k, w) in kept.enumerated() { weights[x * maximumTaps + k] = Float(w / total) }
        }
    }
}
