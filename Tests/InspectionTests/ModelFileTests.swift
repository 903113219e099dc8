import Testing
@testable import Inspection
import Padim
import Platform
import SafeTensors

@Suite struct ModelFileTests {
    func smallModel() throws -> ModelFile {
        let geometry = PatchGeometry(gridHeight: 1, gridWidth: 8, dimensions: 3)
        var acc = FitAccumulator(geometry: geometry)
        for i in 0..<5 {
            let f = (0..<geometry.featureCount).map { Float(($0 * 7 + i * 13) % 11) / 3 }
            f.withUnsafeBufferPointer { acc.add($0) }
        }
        return ModelFile(data: try acc.finish(), channels: [2, 7, 9], backboneIdentity: "abc123", threshold: 4.5,
                         facts: ["image_count": "5"])
    }

    @Test func roundTripKeepsEverything() throws {
        let model = try smallModel()
        let loaded = try ModelFile(bytes: model.serialized(), path: "m", expectedBackbone: "abc123")
        #expect(loaded.data == model.data && loaded.channels == [2, 7, 9] && loaded.threshold == 4.5)
        #expect(loaded.facts["image_count"] == "5")
    }

    @Test func anotherBackboneIsRefused() throws {
        let bytes = try smallModel().serialized()
        do {
            _ = try ModelFile(bytes: bytes, path: "m.safetensors", expectedBackbone: "other")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("another backbone"))
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = try smallModel().serialized()
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            #expect(throws: InspectionError.self) { try ModelFile(bytes: Array(bytes.prefix(cut)), path: "m", expectedBackbone: "abc123") }
        }
    }

    @Test func aFlippedDataBitIsCaughtByTheChecksum() throws {
        var bytes = try smallModel().serialized()
        bytes[bytes.count - 20] ^= 0x04
        do {
            _ = try ModelFile(bytes: bytes, path: "m", expectedBackbone: "abc123")
            Issue.record("expected a checksum failure")
        } catch {
            #expect(error.description.contains("checksum"))
        }
    }

    @Test func aBackboneFileIsNotAModel() throws {
        var writer = SafeTensorsWriter()
        writer.add("x", dtype: .u8, shape: [1], elements: [UInt8(1)])
        writer.metadata = ["format": "lineside-backbone/1"]
        #expect(throws: InspectionError.self) { try ModelFile(bytes: writer.serialized(), path: "m", expectedBackbone: "abc123") }
    }
}

@Suite struct ROCTests {
    @Test func perfectInvertedAndTiedRankings() {
        #expect(ROC.auc(scores: [1, 2, 3, 4], positives: [false, false, true, true]) == 1)
        #expect(ROC.auc(scores: [4, 3, 2, 1], positives: [false, false, true, true]) == 0)
        #expect(ROC.auc(scores: [1, 1, 1, 1], positives: [false, true, false, true]) == 0.5)
        // One positive ties with one negative: (1 + 0.5) / 2.
        #expect(ROC.auc(scores: [0, 2, 2, 3], positives: [false, false, true, true]) == 0.875)
        #expect(ROC.auc(scores: [1, 2], positives: [true, true]) == nil)
    }
}
