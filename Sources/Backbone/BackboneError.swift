/// What can go wrong loading or running the backbone; one line each.
public enum BackboneError: Error, Equatable, CustomStringConvertible {
    case missing
    case malformed(String)
    case xnnpack(operation: String, layer: String, status: UInt32)

    public var description: String {
        switch self {
        case .missing: "backbone: no weights were embedded in this build (run tools/export_backbone.py)"
        case .malformed(let why): "backbone: \(why)"
        case .xnnpack(let operation, let layer, let status): "backbone: XNNPACK \(operation) failed for \(layer) (status \(status))"
        }
    }
}
