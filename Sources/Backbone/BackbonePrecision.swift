/// How the backbone computes a frame. The features differ between the two, so a model records the
/// one it was fitted with (`ModelFile`, metadata `backbone_precision`) and is inspected with it.
public enum BackbonePrecision: Sendable, Equatable, CaseIterable {
    /// Every layer in int8 (every model written before the float32 prefix existed).
    case int8
    /// The first `Int8Backbone.floatPrefixLayers` layers (at 112x112, where the stem sees the raw
    /// image) in float32 on weights dequantised from the embedded int8 ones, the rest in int8.
    /// On magnetic_tile it halves the pixel AUROC loss against the float32 network (README, Evaluation).
    case float32Prefix

    /// What a fit uses unless told otherwise.
    public static let standard: BackbonePrecision = .float32Prefix

    /// The value stored in a model's metadata; it names the prefix length, so a firmware with another
    /// prefix refuses the model instead of scoring other features.
    public var metadataValue: String {
        switch self {
        case .int8: "int8"
        case .float32Prefix: "float32 layers 0-\(Int8Backbone.floatPrefixLayers - 1), int8 after"
        }
    }

    /// The command line's name (`lineside fit --precision`).
    public var name: String {
        switch self {
        case .int8: "int8"
        case .float32Prefix: "float32-prefix"
        }
    }

    public init?(metadataValue: String) {
        guard let match = Self.allCases.first(where: { $0.metadataValue == metadataValue }) else { return nil }
        self = match
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
