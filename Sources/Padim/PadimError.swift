/// Why a fit or a model cannot be used; one line each.
public enum PadimError: Error, Equatable, CustomStringConvertible {
    case tooFewImages(Int)
    case notPositiveDefinite(position: Int)
    case badModel(String)

    public var description: String {
        switch self {
        case .tooFewImages(let n): "a fit needs at least 2 good images, got \(n)"
        case .notPositiveDefinite(let p): "covariance at patch \(p) is not positive definite (features contain NaN or Inf?)"
        case .badModel(let why): "model: \(why)"
        }
    }
}
