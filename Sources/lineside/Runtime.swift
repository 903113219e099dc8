import Backbone
import Inspection

/// What every inspection command needs: the embedded backbone on XNNPACK, and a model.
enum Runtime {
    static func backbone(threads: Int) throws -> Int8Backbone {
        try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: threads)
    }

    static func model(_ path: String, backbone: Int8Backbone) throws -> ModelFile {
        try ModelFile.load(path, expected: ModelFile.Expectation(backbone))
    }
}
