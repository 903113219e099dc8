import Platform
import Service

/// The current and the previous model id, kept in `<queue folder>/models` by the publisher
/// thread, so that a model loaded at start that is the previous one (and not the current one) is
/// reported as a rollback: `lineside rollback` runs while the service is stopped.
struct ModelHistory {
    let path: String
    private var current: String?
    private var previous: String?

    init(path: String) {
        self.path = path
        if let bytes = try? FileIO.read(path, limit: 4096) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            func valid(_ text: String?) -> String? {
                guard let text, text.utf8.count == 16, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
                return text
            }
            current = valid(lines.first)
            previous = valid(lines.dropFirst().first)
        }
    }

    /// Records a model event; returns a rollback event when the loaded model is the previous one.
    mutating func note(_ event: ServiceEvent) -> ServiceEvent? {
        var rollback: ServiceEvent? = nil
        switch event {
        case .modelLoaded(let id, _):
            guard id != current else { return nil }
            if id == previous { rollback = .rollback(modelID: id) }
            (previous, current) = (current, id)
        case .modelSwapped(let id, _):
            (previous, current) = (current, id)
        default:
            return nil
        }
        try? FileIO.writeAtomically(Array(((current ?? "") + "\n" + (previous ?? "") + "\n").utf8), to: path)
        return rollback
    }
}
