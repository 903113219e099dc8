import Backbone
import ImageCodec
import Padim
import Platform
import Registration

/// Everything that can stop fit, score or eval, as one line naming the file or directory.
public enum InspectionError: Error, CustomStringConvertible {
    case model(path: String, reason: String)
    case image(ImageCodecError)
    case backbone(BackboneError)
    case padim(PadimError)
    case dataset(path: String, reason: String)
    case file(FileError)
    case registration(RegistrationError)

    public var description: String {
        switch self {
        case .model(let path, let reason): "\(path): \(reason)"
        case .image(let error): "\(error)"
        case .backbone(let error): "\(error)"
        case .padim(let error): "\(error)"
        case .dataset(let path, let reason): "\(path): \(reason)"
        case .file(let error): "\(error)"
        case .registration(let error): "\(error)"
        }
    }
}
