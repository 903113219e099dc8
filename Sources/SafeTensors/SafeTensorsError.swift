/// What can be wrong with a safetensors file; each prints as one line.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case malformed(String)
    case missingTensor(String)
    case wrongTensor(String, String)

    public var description: String {
        switch self {
        case .truncated(let why): "truncated safetensors: \(why)"
        case .malformed(let why): "malformed safetensors: \(why)"
        case .missingTensor(let name): "tensor \"\(name)\" is missing"
        case .wrongTensor(let name, let why): "tensor \"\(name)\" has \(why)"
        }
    }
}
