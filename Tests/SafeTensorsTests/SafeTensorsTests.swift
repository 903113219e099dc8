import Platform
import Testing
@testable import Platform
import SafeTensors

@Suite struct SafeTensorsTests {
    func sample() -> [UInt8] {
        var writer = SafeTensorsWriter()
        writer.add("b", dtype: .f32, shape: [2, 2], elements: [Float(1), 2, 3, 4])
        writer.add("a", dtype: .i8, shape: [3], elements: [Int8(-1), 0, 1])
        writer.metadata = ["format": "test", "note": "quotes \" and \\ survive"]
        return writer.serialized()
    }

    @Test func roundTripKeepsTensorsAndMetadata() throws {
        let file = try SafeTensors(bytes: sample())
        #expect(try file.elements("b", as: Float.self, dtype: .f32, shape: [2, 2]) == [1, 2, 3, 4])
        #expect(try file.elements("a", as: Int8.self, dtype: .i8) == [-1, 0, 1])
        #expect(file.metadata["note"] == "quotes \" and \\ survive")
    }

    @Test func writerIsDeterministicAndHeaderAligned() {
        let bytes = sample()
        #expect(bytes == sample())
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
    }

    @Test func truncatedFileIsRejected() {
        let bytes = sample()
        for cut in [0, 5, 8, 20, bytes.count - 1] {
            #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: Array(bytes.prefix(cut))) }
        }
    }

    @Test func absurdHeaderLengthIsRejected() {
        var bytes = sample()
        bytes[7] = 0x7F
        #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: bytes) }
    }

    @Test func overlappingTensorsAreRejected() {
        let header = #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 6)
        #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: bytes) }
    }

    @Test func sizeMismatchBetweenShapeAndOffsetsIsRejected() {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        #expect(throws: SafeTensorsError.self) { try SafeTensors(bytes: bytes) }
    }

    @Test func wrongDtypeOrShapeIsReportedByName() throws {
        let file = try SafeTensors(bytes: sample())
        #expect(throws: SafeTensorsError.wrongTensor("b", "dtype F32, expected F16")) { try file.tensor("b", dtype: .f16) }
        #expect(throws: SafeTensorsError.missingTensor("zz")) { try file.tensor("zz", dtype: .f16) }
    }
}

@Suite struct JSONTests {
    @Test func parsesNestedValues() throws {
        let value = try JSON.parse(#" {"a": [1, -2.5e1, true, null, "x\u00e9\n"], "b": {}} "#)
        #expect(value["a"]?.arrayValue?[1].doubleValue == -25)
        #expect(value["a"]?.arrayValue?[4].stringValue == "x\u{e9}\n")
        #expect(value["b"]?.objectValue?.isEmpty == true)
    }

    @Test func rejectsMalformedText() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "\"unterminated", "tru", "{\"a\":1}x", "{\"a\":1,\"a\":2}"] {
            #expect(throws: JSONError.self, "\(text)") { try JSON.parse(text) }
        }
    }

    @Test func serializationSortsKeysAndRoundTrips() throws {
        let value = JSON.object(["z": .number(1), "a": .array([.string("q\""), .number(0.25), .bool(false)])])
        #expect(value.serialized == #"{"a":["q\"",0.25,false],"z":1}"#)
        #expect(try JSON.parse(value.serialized) == value)
    }
}

@Suite struct SHA256Tests {
    @Test func matchesFIPSVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = SHA256()
        hasher.update(data[0..<3]); hasher.update(data[3..<200]); hasher.update(data[200...])
        let hex = hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == SHA256.hex(data))
    }
}
