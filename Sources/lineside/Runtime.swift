import Backbone
import Inspection
import Padim

/// What every inspection command needs: the embedded backbone on XNNPACK, and a model.
enum Runtime {
    static func backbone(threads: Int) throws -> Int8Backbone {
        try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: threads)
    }

    /// `--factor int8|float16`: how the scorer holds the model's whitening factor (default int8).
    static func factor(_ args: Arguments) throws -> FactorEncoding {
        guard let text = args.string("factor") else { return Inspector.defaultFactor }
        guard let encoding = FactorEncoding(rawValue: text) else { throw UsageError("--factor takes float16 or int8, not \(text)") }
        return encoding
    }

    static func model(_ path: String, backbone: Int8Backbone) throws -> ModelFile {
        try ModelFile.load(path, expected: ModelFile.Expectation(backbone))
    }
}
