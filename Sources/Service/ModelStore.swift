import Inspection
import Platform

/// Where the model lives on the board, with the one before it kept for `lineside rollback`.
/// Every write goes through `FileIO.writeAtomically`, so a power cut or a kill at any moment
/// leaves a loadable model at `path` (the old one or the new one), or none if there never was one.
public struct ModelStore: Sendable {
    public let path: String
    public let previousPath: String

    public enum Loaded: Sendable {
        case model(ModelFile)
        case missing
        /// The file exists but cannot be used; `reason` is one line naming it.
        case unusable(reason: String)
    }

    public init(path: String, previousPath: String) {
        self.path = path
        self.previousPath = previousPath
    }

    public func load(expected: ModelFile.Expectation) -> Loaded {
        guard Directory.exists(path) else { return .missing }
        do { return .model(try ModelFile.load(path, expected: expected)) } catch {
            return .unusable(reason: "\(error)")
        }
    }

    /// Saves `model` as the current one; the replaced model becomes the previous one.
    /// `failing` injects a failure at one step of the save (tests).
    public func save(_ model: ModelFile, failing: FileIO.SaveStep? = nil) throws(InspectionError) {
        try model.save(path, keepPrevious: Directory.exists(path) ? previousPath : nil, failing: failing)
    }

    /// Makes the previous model current again (and the current one previous, so a rollback can be
    /// undone by another). The previous model is validated first.
    public func rollback(expected: ModelFile.Expectation) throws(InspectionError) -> ModelFile {
        guard Directory.exists(previousPath) else { throw .model(path: previousPath, reason: "no previous model to roll back to") }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(previousPath, limit: ModelFile.maximumFileBytes) } catch { throw .file(error) }
        let model = try ModelFile(bytes: bytes, path: previousPath, expected: expected)
        do {
            try FileIO.writeAtomically(bytes, to: path, keepPrevious: Directory.exists(path) ? previousPath : nil)
        } catch { throw .file(error) }
        return model
    }
}
