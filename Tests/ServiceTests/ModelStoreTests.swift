import Backbone
import Glibc
import Inspection
import Padim
import Platform
import Testing
@testable import Service

/// The model store under every failure a save can meet: whatever step fails, and whatever stands
/// at the model's or the previous model's path, a loadable model stays in use.
@Suite struct ModelStoreTests {
    static let expected = ModelFile.Expectation(identity: "test-backbone", gridHeight: 1, gridWidth: 8, totalChannels: 16)

    func model(threshold: Float) throws -> ModelFile {
        let geometry = PatchGeometry(gridHeight: 1, gridWidth: 8, dimensions: 3)
        var accumulator = FitAccumulator(geometry: geometry)
        for i in 0..<6 {
            let features = (0..<geometry.featureCount).map { Float(($0 * 5 + i * 11) % 13) / 4 }
            features.withUnsafeBufferPointer { accumulator.add($0) }
        }
        return ModelFile(data: try accumulator.finish(), channels: [1, 4, 9], backboneIdentity: "test-backbone",
                         precision: .int8, threshold: threshold, facts: ["holdout_scores": "min 1 median 2 max 3.0 mean 2"])
    }

    func threshold(at path: String) -> Float? {
        if case .model(let loaded) = ModelStore(path: path, previousPath: path + ".previous").load(expected: Self.expected) {
            return loaded.threshold
        }
        return nil
    }

    @Test(arguments: FileIO.SaveStep.allCases)
    func aFailedSaveAtAnyStepLeavesALoadableModel(step: FileIO.SaveStep) throws {
        let dir = try Directory.makeTemporary(prefix: "lineside-store")
        defer { Directory.removeTree(dir) }
        let store = ModelStore(path: dir + "/model.safetensors", previousPath: dir + "/model.previous.safetensors")
        try store.save(try model(threshold: 3))
        try store.save(try model(threshold: 4))
        #expect(throws: InspectionError.self) { try store.save(try model(threshold: 5), failing: step) }
        let current = threshold(at: store.path)
        #expect(current == (step == .syncDirectory ? 5 : 4), "the model in use is the old one, or the new one once renamed")
        if case .model = store.load(expected: Self.expected) {} else { Issue.record("no loadable model after a failed \(step)") }
        // The previous slot holds a loadable model too (the old previous, or the replaced current).
        let previous = ModelStore(path: store.previousPath, previousPath: dir + "/unused").load(expected: Self.expected)
        if case .model(let kept) = previous { #expect(kept.threshold == 3 || kept.threshold == 4) } else {
            Issue.record("the previous model was lost at \(step)")
        }
    }

    @Test(arguments: ["model", "previous"], ["directory", "fifo"])
    func aDirectoryOrFIFOAtEitherPathIsRefusedAndTheModelStays(slot: String, kind: String) throws {
        let dir = try Directory.makeTemporary(prefix: "lineside-store")
        defer { Directory.removeTree(dir) }
        let store = ModelStore(path: dir + "/model.safetensors", previousPath: dir + "/model.previous.safetensors")
        if slot == "model" {
            let blocker = dir + "/model.safetensors"
            if kind == "directory" { try Directory.create(blocker) } else { #expect(mkfifo(blocker, 0o600) == 0) }
            #expect(throws: InspectionError.self) { try store.save(try model(threshold: 5)) }
            #expect(FileKind.of(blocker) == (kind == "directory" ? .directory : .fifo), "nothing was removed")
        } else {
            try store.save(try model(threshold: 4))
            let blocker = store.previousPath
            if kind == "directory" { try Directory.create(blocker) } else { #expect(mkfifo(blocker, 0o600) == 0) }
            #expect(throws: InspectionError.self) { try store.save(try model(threshold: 5)) }
            #expect(threshold(at: store.path) == 4, "the model in use is untouched")
            #expect(throws: InspectionError.self) { try store.rollback(expected: Self.expected) }
            #expect(threshold(at: store.path) == 4)
        }
    }
}
