import COpenCV
import Glibc

/// The calibration reference parts are registered to: the mean of the good parts' grey thumbnails
/// (`RegistrationGeometry.thumbnail` pixels square, values 0...1), each registered to the mean
/// before it is averaged again. Stored in the model file.
public struct RegistrationReference: Sendable, Equatable {
    public let size: Int
    /// size * size grey values in 0...1, row-major.
    public let pixels: [Float]

    /// Checks a reference from outside (a model file): its size, every value finite and in 0...1,
    /// and not flat (a flat reference cannot locate anything).
    public init(size: Int, pixels: [Float]) throws(RegistrationError) {
        guard size == RegistrationGeometry.thumbnail else {
            throw .badReference("size \(size), expected \(RegistrationGeometry.thumbnail)")
        }
        guard pixels.count == size * size else { throw .badReference("\(pixels.count) values for \(size)x\(size)") }
        guard pixels.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
            throw .badReference("a value is not a number in 0...1")
        }
        let mean = pixels.reduce(0, +) / Float(pixels.count)
        let variance = pixels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(pixels.count)
        guard variance > 1e-8 else { throw .badReference("flat (no structure to register to)") }
        self.size = size
        self.pixels = pixels
    }

    /// Builds the reference from good parts' thumbnails (`Registrar.thumbnail`) in one go; see
    /// `RegistrationReferenceBuilder` for the steps.
    public static func build(thumbnails: [[Float]], passes: Int = 2, settings: AlignmentSettings = AlignmentSettings())
        throws(RegistrationError) -> RegistrationReferenceBuilder.Built {
        let builder = try RegistrationReferenceBuilder(thumbnails: thumbnails, passes: passes, settings: settings)
        while try !builder.step() {}
        return builder.built!
    }

    /// The Euclidean warp of the average pose of `matrices` (each reference -> part, row-major
    /// 2x3): the mean angle, and the mean of where each puts the `centre`, turned about it.
    static func averagePose(_ matrices: [[Double]], centre c: Double) -> [Double] {
        guard !matrices.isEmpty else { return [1, 0, 0, 0, 1, 0] }
        var angle = 0.0, ox = 0.0, oy = 0.0
        for m in matrices {
            angle += atan2(m[3], m[0])
            ox += m[0] * c + m[1] * c + m[2] - c
            oy += m[3] * c + m[4] * c + m[5] - c
        }
        let n = Double(matrices.count)
        angle /= n; ox /= n; oy /= n
        let cs = cos(angle), sn = sin(angle)
        // p -> R (p - c) + c + o
        return [cs, -sn, c - cs * c + sn * c + ox, sn, cs, c - sn * c - cs * c + oy]
    }

    /// Aligns one thumbnail to `reference` pixels (both thumbnail-sized).
    static func align(_ thumbnail: [Float], to reference: [Float], settings: AlignmentSettings) throws(RegistrationError) -> ThumbnailAlignment {
        var result = ls_cv_alignment()
        let size = Int32(RegistrationGeometry.thumbnail)
        try OpenCVCalls.check(reference.withUnsafeBufferPointer { r in
            thumbnail.withUnsafeBufferPointer { t in
                ls_cv_align(r.baseAddress, t.baseAddress, size, Int32(settings.iterations), settings.epsilon, Int32(settings.blur),
                            settings.refiner.code, &result)
            }
        })
        let m = result.matrix
        return ThumbnailAlignment(thumbnailMatrix: [m.0, m.1, m.2, m.3, m.4, m.5], quality: result.quality, refined: result.refined != 0)
    }
}

/// How the warp is estimated (ECC's stop rule and pre-filter); the defaults are the measured ones.
public struct AlignmentSettings: Sendable, Equatable {
    /// ECC iterations at most.
    public var iterations = 30
    /// ECC stops when the correlation changes by less than this.
    public var epsilon = 1e-4
    /// Gaussian pre-filter of both thumbnails inside ECC and for the quality (odd, pixels).
    public var blur = 5
    /// Which ECC implementation refines the warp.
    public var refiner = Refiner.fused

    /// The ECC refinement's implementation: the same algorithm either way.
    public enum Refiner: Sendable, Equatable {
        /// Ours (COpenCV's ecc_euclidean.cpp): each iteration fused into two passes over the
        /// pixels, several times faster on a thumbnail than OpenCV's whole-image operations.
        case fused
        /// cv::findTransformECC, to compare against.
        case openCV

        var code: Int32 { self == .fused ? Int32(LS_CV_ECC_FUSED) : Int32(LS_CV_ECC_OPENCV) }
    }

    public init() {}
}

/// An alignment in thumbnail pixels, before it is scaled to the view.
struct ThumbnailAlignment {
    var thumbnailMatrix: [Double]
    var quality: Double
    var refined: Bool

    /// The same warp in view pixels: p_view = s * p_thumb + (s - 1) / 2 (pixel centres), so
    /// M_view = [R | s * t + (s - 1) / 2 * (1 - R) (1, 1)^T].
    var inView: Alignment {
        let s = Double(RegistrationGeometry.view) / Double(RegistrationGeometry.thumbnail), c = (s - 1) / 2
        let m = thumbnailMatrix
        let tx = s * m[2] + c * (1 - m[0] - m[1]), ty = s * m[5] + c * (1 - m[3] - m[4])
        return Alignment(matrix: [m[0], m[1], tx, m[3], m[4], ty], quality: quality, refined: refined)
    }
}

extension RegistrationReference {
    /// Largest share of the fit's own good parts that may lie beyond the tolerance: above it the
    /// parts do not share one position to register to (tiles of different sizes and shapes, say),
    /// and the fit goes without registration rather than correct them by chance.
    public static let maximumNotLocatedShare = 0.2

    /// nil when a fit should register to this reference; else why not, in one line.
    public static func unsuitability(alignments: [Alignment], tolerance: RegistrationTolerance = RegistrationTolerance()) -> String? {
        guard !alignments.isEmpty else { return "no parts" }
        let beyond = alignments.filter { tolerance.violation($0) != nil }.count
        let share = Double(beyond) / Double(alignments.count)
        guard share > maximumNotLocatedShare else { return nil }
        return "\(beyond) of \(alignments.count) good parts lie beyond the tolerance against their own mean (more than \(Int(maximumNotLocatedShare * 100))%): they share no one position to register to"
    }
}
