import Padim
import SafeTensors
import Testing
@testable import Inspection
@testable import Registration

/// The registration reference in the model file: stored, loaded, absent in older models, and
/// checked like every other value from outside.
@Suite struct ModelFileRegistrationTests {
    let files = ModelFileTests()

    func reference() throws -> RegistrationReference {
        let size = RegistrationGeometry.thumbnail
        return try RegistrationReference(size: size, pixels: (0..<(size * size)).map { Float(($0 * 37) % 101) / 100 })
    }

    @Test func aReferenceRoundTripsAndAnOldModelHasNone() throws {
        var model = try files.smallModel()
        let old = try ModelFile(bytes: model.serialized(), path: "m", expected: ModelFileTests.expected)
        #expect(old.registration == nil)
        model.registration = try reference()
        let loaded = try ModelFile(bytes: model.serialized(), path: "m", expected: ModelFileTests.expected)
        #expect(loaded.registration == model.registration)
        #expect(loaded.facts["registration"] == nil && loaded.facts["registration_sha256"] == nil, "stored keys are not facts")
        // The PaDiM data's checksum does not cover the reference: old tools still verify it.
        #expect(try SafeTensors(bytes: model.serialized()).metadata["data_sha256"] == SafeTensors(bytes: old.serialized()).metadata["data_sha256"])
    }

    /// The model with its reference tensor and registration metadata edited.
    func forged(pixels: [Float]?, shape: [Int]? = nil, edit: (inout [String: String]) -> Void) throws -> [UInt8] {
        var model = try files.smallModel()
        model.registration = try reference()
        let file = try SafeTensors(bytes: model.serialized())
        var meta = file.metadata
        edit(&meta)
        var writer = SafeTensorsWriter()
        for name in ["mean", "factor"] {
            writer.add(name, dtype: .f16, shape: file.tensors[name]!.shape, elements: try file.elements(name, as: UInt16.self, dtype: .f16))
        }
        writer.add("channels", dtype: .i32, shape: file.tensors["channels"]!.shape, elements: try file.elements("channels", as: Int32.self, dtype: .i32))
        if let pixels {
            let size = RegistrationGeometry.thumbnail
            writer.add(ModelFile.registrationTensor, dtype: .f32, shape: shape ?? [size, size], elements: pixels)
        }
        writer.metadata = meta
        return writer.serialized()
    }

    @Test func inconsistentOrForgedReferencesAreRefusedByName() throws {
        let good = try reference().pixels
        let size = RegistrationGeometry.thumbnail
        var nan = good
        nan[3] = .nan
        let cases: [(String, [UInt8])] = [
            ("without its reference tensor", try forged(pixels: nil) { _ in }),
            ("without its metadata", try forged(pixels: good) { $0["registration"] = nil }),
            ("unknown registration method", try forged(pixels: good) { $0["registration"] = "affine by magic" }),
            ("checksum", try forged(pixels: good.map { $0 * 0.5 }) { _ in }),
            ("shape", try forged(pixels: Array(good.prefix(32 * 32)), shape: [32, 32]) { $0["registration_sha256"] = ModelFile.registrationDigest(Array(good.prefix(32 * 32))) }),
            ("0...1", try forged(pixels: nan) { $0["registration_sha256"] = ModelFile.registrationDigest(nan) }),
            ("flat", try forged(pixels: [Float](repeating: 0.5, count: size * size)) {
                $0["registration_sha256"] = ModelFile.registrationDigest([Float](repeating: 0.5, count: size * size))
            }),
        ]
        for (expected, bytes) in cases {
            let message = files.refusal(bytes)
            #expect(message?.contains(expected) == true, "\(expected): \(message ?? "accepted")")
            #expect(message?.hasPrefix("/models/m.safetensors: ") == true)
        }
    }
}
