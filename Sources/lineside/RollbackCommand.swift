import Configuration
import Inspection
import Service

enum RollbackCommand {
    static let help = """
    usage: lineside rollback [--model PATH] [--previous PATH]

    Makes the previous model (kept by every calibration and fit) the current one again; the
    current one becomes the previous, so a second rollback undoes the first. The previous model is
    checked before anything is replaced. Restart the service (or it picks the model up at its
    next start). Defaults: /var/lib/lineside/model.safetensors and model.previous.safetensors.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["model", "previous"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let defaults = ServiceSettings.defaults
        let model = args.string("model") ?? defaults.model.path
        let store = ModelStore(path: model, previousPath: args.string("previous") ?? defaultPrevious(for: model, defaults))
        let backbone = try Runtime.backbone(threads: 1)
        let restored = try store.rollback(expected: ModelFile.Expectation(backbone))
        print("rolled back: \(store.path) is now the previous model (threshold \(restored.threshold), \(restored.facts["image_count"] ?? "?") images)")
        return 0
    }

    /// model.safetensors -> model.previous.safetensors beside it.
    static func defaultPrevious(for model: String, _ defaults: ServiceSettings) -> String {
        if model == defaults.model.path { return defaults.model.previousPath }
        if model.hasSuffix(".safetensors") { return String(model.dropLast(".safetensors".count)) + ".previous.safetensors" }
        return model + ".previous"
    }
}
