import COpenCV

/// Builds the registration reference one alignment per `step`, so a caller with a loop to keep
/// turning (the service during a calibration, which pets a watchdog) never waits for all of it:
/// the thumbnails' mean, then `passes` rounds of registering every thumbnail to the current mean
/// and averaging the corrected thumbnails, then the mean moved to the thumbnails' average pose
/// (the mean drifts with each pass: parts turned by up to 10 degrees left it turned by 5; at the
/// average pose a part sitting like the average one is found at no offset, and the tolerance
/// counts from there), then every thumbnail measured against it.
public final class RegistrationReferenceBuilder {
    public struct Built: Sendable {
        public let reference: RegistrationReference
        /// Each thumbnail's match quality and alignment against the reference.
        public let qualities: [Double]
        public let alignments: [Alignment]
    }

    private enum Stage { case passes(Int), pose, measure, done }

    private let thumbnails: [[Float]]
    private let passes: Int
    private let settings: AlignmentSettings
    private var stage: Stage
    private var index = 0
    private var current: [Float]
    private var corrected: [[Float]] = []
    private var matrices: [[Double]] = []
    private var qualities: [Double] = []
    private var alignments: [Alignment] = []
    /// Set by the last step.
    public private(set) var built: Built?

    public init(thumbnails: [[Float]], passes: Int = 2, settings: AlignmentSettings = AlignmentSettings()) throws(RegistrationError) {
        let count = RegistrationGeometry.thumbnail * RegistrationGeometry.thumbnail
        guard !thumbnails.isEmpty else { throw .badReference("no good parts to build it from") }
        guard thumbnails.allSatisfy({ $0.count == count }) else {
            throw .badArgument("a thumbnail is not \(RegistrationGeometry.thumbnail)x\(RegistrationGeometry.thumbnail)")
        }
        _ = OpenCVCalls.singleThreaded
        self.thumbnails = thumbnails
        self.passes = passes
        self.settings = settings
        current = Self.mean(thumbnails)
        stage = passes > 0 ? .passes(0) : .pose
    }

    /// One alignment (and, at the end of a round, its mean); true once `built` is set.
    public func step() throws(RegistrationError) -> Bool {
        let size = RegistrationGeometry.thumbnail
        switch stage {
        case .done:
            return true
        case .passes(let pass):
            let alignment = try RegistrationReference.align(thumbnails[index], to: current, settings: settings)
            corrected.append(try Self.warp(thumbnails[index], alignment.thumbnailMatrix, inverse: false))
            if nextThumbnail() {
                current = Self.mean(corrected)
                corrected = []
                stage = pass + 1 < passes ? .passes(pass + 1) : .pose
            }
        case .pose:
            matrices.append(try RegistrationReference.align(thumbnails[index], to: current, settings: settings).thumbnailMatrix)
            if nextThumbnail() {
                let pose = RegistrationReference.averagePose(matrices, centre: Double(size - 1) / 2)
                current = try Self.warp(current, pose, inverse: true).map { min(1, max(0, $0)) }
                stage = .measure
            }
        case .measure:
            let alignment = try RegistrationReference.align(thumbnails[index], to: current, settings: settings)
            qualities.append(alignment.quality)
            alignments.append(alignment.inView)
            if nextThumbnail() {
                built = Built(reference: try RegistrationReference(size: size, pixels: current), qualities: qualities, alignments: alignments)
                stage = .done
                return true
            }
        }
        return false
    }

    /// Moves to the next thumbnail; true when the round is over (back at the first).
    private func nextThumbnail() -> Bool {
        index += 1
        guard index == thumbnails.count else { return false }
        index = 0
        return true
    }

    private static func mean(_ images: [[Float]]) -> [Float] {
        let count = images[0].count
        var sum = [Float](repeating: 0, count: count)
        for image in images { for i in 0..<count { sum[i] += image[i] } }
        let n = Float(images.count)
        return sum.map { min(1, max(0, $0 / n)) }
    }

    /// A thumbnail warped by a thumbnail-pixel matrix: sampled at m p (inverse false: a part
    /// brought onto the reference) or at m^-1 p (inverse true: the reference moved to a pose).
    private static func warp(_ image: [Float], _ matrix: [Double], inverse: Bool) throws(RegistrationError) -> [Float] {
        let size = Int32(RegistrationGeometry.thumbnail)
        var out = [Float](repeating: 0, count: image.count)
        try OpenCVCalls.check(image.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                matrix.withUnsafeBufferPointer { m in
                    ls_cv_warp_f32(src.baseAddress, size, size, m.baseAddress, inverse ? 1 : 0, dst.baseAddress, size, size)
                }
            }
        })
        return out
    }
}
