import Backbone
import Testing
@testable import Inspection
import Padim
import Platform
import SafeTensors

@Suite struct ModelFileTests {
    static let expected = ModelFile.Expectation(identity: "abc123", gridHeight: 1, gridWidth: 8, totalChannels: 16)

    func smallModel() throws -> ModelFile {
        let geometry = PatchGeometry(gridHeight: 1, gridWidth: 8, dimensions: 3)
        var acc = FitAccumulator(geometry: geometry)
        for i in 0..<5 {
            let f = (0..<geometry.featureCount).map { Float(($0 * 7 + i * 13) % 11) / 3 }
            f.withUnsafeBufferPointer { acc.add($0) }
        }
        return ModelFile(data: try acc.finish(), channels: [2, 7, 9], backboneIdentity: "abc123", precision: .float32Prefix, threshold: 4.5,
                         facts: ["image_count": "5", "holdout_scores": "min 1 median 2 max 4.0 mean 2"])
    }

    @Test func roundTripKeepsEverything() throws {
        let model = try smallModel()
        let loaded = try ModelFile(bytes: model.serialized(), path: "m", expected: Self.expected)
        #expect(loaded.data == model.data && loaded.channels == [2, 7, 9] && loaded.threshold == 4.5)
        #expect(loaded.facts["image_count"] == "5")
        #expect(loaded.precision == .float32Prefix && loaded.facts["backbone_precision"] == nil)
    }

    /// Models written before the float32 prefix carry no precision: they were fitted in int8 and
    /// must go on being inspected in int8. A precision this firmware does not compute is refused.
    @Test func theBackbonePrecisionIsReadAndAnUnknownOneRefused() throws {
        func loaded(_ value: String?) throws -> ModelFile {
            try ModelFile(bytes: try forged { meta, _, _ in meta["backbone_precision"] = value }, path: "m", expected: Self.expected)
        }
        #expect(try loaded(nil).precision == .int8)
        #expect(try loaded("int8").precision == .int8)
        #expect(try loaded(BackbonePrecision.float32Prefix.metadataValue).precision == .float32Prefix)
        let message = refusal(try forged { meta, _, _ in meta["backbone_precision"] = "float32 layers 0-9, int8 after" })
        #expect(message?.hasPrefix("/models/m.safetensors:") == true && message?.contains("backbone precision") == true,
                "\(message ?? "accepted")")
    }

    @Test func anotherBackboneIsRefused() throws {
        let bytes = try smallModel().serialized()
        do {
            _ = try ModelFile(bytes: bytes, path: "m.safetensors", expected: ModelFile.Expectation(identity: "other", gridHeight: 1, gridWidth: 8, totalChannels: 16))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("another backbone"))
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = try smallModel().serialized()
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            #expect(throws: InspectionError.self) { try ModelFile(bytes: Array(bytes.prefix(cut)), path: "m", expected: Self.expected) }
        }
    }

    @Test func aFlippedDataBitIsCaughtByTheChecksum() throws {
        var bytes = try smallModel().serialized()
        bytes[bytes.count - 20] ^= 0x04
        do {
            _ = try ModelFile(bytes: bytes, path: "m", expected: Self.expected)
            Issue.record("expected a checksum failure")
        } catch {
            #expect(error.description.contains("checksum"))
        }
    }

    /// The small model with some of its stored values replaced, checksum recomputed, as a hostile
    /// user with the format's description would write it.
    func forged(_ edit: (inout [String: String], inout [UInt16], inout [Int32]) -> Void) throws -> [UInt8] {
        let model = try smallModel()
        var meta = try SafeTensors(bytes: model.serialized()).metadata
        var factor = model.data.factor.bits
        var channels = model.channels.map { Int32($0) }
        edit(&meta, &factor, &channels)
        let mean = model.data.mean.bits
        var writer = SafeTensorsWriter()
        let g = model.data.geometry
        writer.add("mean", dtype: .f16, shape: [g.positions, g.dimensions], elements: mean)
        writer.add("factor", dtype: .f16, shape: [g.positions, g.triangle], elements: factor)
        writer.add("channels", dtype: .i32, shape: [channels.count], elements: channels)
        meta["data_sha256"] = ModelFile.dataDigest(mean: mean, factor: factor, channels: channels.map { Int($0) })
        writer.metadata = meta
        return writer.serialized()
    }

    func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ModelFile(bytes: bytes, path: "/models/m.safetensors", expected: Self.expected)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func hugeGridValuesAreRefusedWithTheFileNamed() throws {
        for grid in ["4294967296x4294967296", "9223372036854775807x2", "-8x-1", "8x", "x", "1x8x1", "0x8"] {
            let message = refusal(try forged { meta, _, _ in meta["grid"] = grid })
            #expect(message?.hasPrefix("/models/m.safetensors:") == true, "grid \(grid): \(message ?? "accepted")")
        }
    }

    @Test func aGridThatIsNotTheBackbonesIsRefusedByName() throws {
        let message = refusal(try forged { meta, _, _ in meta["grid"] = "2x8" })
        #expect(message?.contains("/models/m.safetensors") == true && message?.contains("does not match the backbone's 1x8") == true)
    }

    @Test func channelIndicesBeyondTheBackboneAreRefused() throws {
        #expect(refusal(try forged { _, _, channels in channels[2] = 16 })?.contains("outside 0..<16") == true)
        #expect(refusal(try forged { _, _, channels in channels[0] = -1 }) != nil)
        #expect(refusal(try forged { _, _, channels in channels = [2, 2, 9] }) != nil)
        #expect(refusal(try forged { meta, _, _ in meta["dimensions"] = "17" }) != nil)
    }

    @Test func aZeroOrNegativeFactorIsNoWhiteningFactor() throws {
        #expect(refusal(try forged { _, factor, _ in factor = factor.map { _ in 0 } })?.contains("not a whitening factor") == true)
        #expect(refusal(try forged { _, factor, _ in factor[0] |= 0x8000 })?.contains("not positive") == true)
    }

    @Test func thresholdsNoFitGivesAreRefused() throws {
        for threshold in ["1e-45", "0", "-3", "nan", "inf", "1e30", "", "3.9", "40.1"] {
            #expect(refusal(try forged { meta, _, _ in meta["threshold"] = threshold }) != nil, "threshold \(threshold)")
        }
        let below = refusal(try forged { meta, _, _ in meta["holdout_scores"] = "min 1 median 2 max 5.0 mean 2" })
        #expect(below?.contains("below the highest good score") == true)
        #expect(refusal(try forged { meta, _, _ in meta["holdout_scores"] = "min 1 median 2 max 4.0 mean 2" }) == nil)
        #expect(refusal(try forged { meta, _, _ in meta["holdout_scores"] = nil })?.contains("no recorded good-part scores") == true)
        // A still scene: tiny good scores, tiny threshold, a valid model.
        #expect(refusal(try forged { meta, _, _ in
            meta["holdout_scores"] = "min 0.1 median 0.15 max 0.17 mean 0.15"
            meta["threshold"] = "0.18755913"
        }) == nil)
    }

    @Test func aBackboneFileIsNotAModel() throws {
        var writer = SafeTensorsWriter()
        writer.add("x", dtype: .u8, shape: [1], elements: [UInt8(1)])
        writer.metadata = ["format": "lineside-backbone/1"]
        #expect(throws: InspectionError.self) { try ModelFile(bytes: writer.serialized(), path: "m", expected: Self.expected) }
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
