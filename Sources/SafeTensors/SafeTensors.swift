import Platform

/// The safetensors container: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data.
///
/// Both the embedded backbone and the PaDiM model are safetensors files; the Python tools read and
/// write the same format. Parsing validates everything a corrupted or hostile file could get wrong.
public struct SafeTensors: Sendable {
    public enum DType: String, Sendable, CaseIterable {
        case f16 = "F16", f32 = "F32", f64 = "F64", i8 = "I8", u8 = "U8", i32 = "I32", i64 = "I64"

        public var size: Int {
            switch self {
            case .i8, .u8: 1
            case .f16: 2
            case .f32, .i32: 4
            case .f64, .i64: 8
            }
        }
    }

    public struct Tensor: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte range inside `SafeTensors.data`.
        public let range: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let tensors: [String: Tensor]
    public let metadata: [String: String]
    /// The data section (everything after the header).
    public let data: [UInt8]

    /// Largest header accepted: far above any real model's, low enough to refuse garbage lengths.
    public static let maximumHeaderSize = 16 << 20

    /// Parses and validates a whole file's bytes.
    public init(bytes: [UInt8]) throws(SafeTensorsError) {
        guard bytes.count >= 8 else { throw .truncated("file is \(bytes.count) bytes, shorter than the 8-byte header length") }
        var headerLength = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | Int(bytes[i]) }
        guard headerLength >= 2, headerLength <= SafeTensors.maximumHeaderSize else {
            throw .malformed("header length \(headerLength) is implausible")
        }
        guard 8 + headerLength <= bytes.count else {
            throw .truncated("header claims \(headerLength) bytes but the file has \(bytes.count - 8) after the length")
        }
        let header: JSON
        do { header = try JSON.parse(bytes[8..<(8 + headerLength)]) } catch { throw .malformed("header: \(error)") }
        guard let members = header.objectValue else { throw .malformed("header is not a JSON object") }

        let data = Array(bytes[(8 + headerLength)...])
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in members {
            if name == "__metadata__" {
                guard let object = entry.objectValue else { throw .malformed("__metadata__ is not an object") }
                for (key, value) in object {
                    guard let text = value.stringValue else { throw .malformed("metadata \"\(key)\" is not a string") }
                    metadata[key] = text
                }
                continue
            }
            tensors[name] = try SafeTensors.parseTensor(name: name, entry: entry, dataSize: data.count)
        }
        // Tensors must not overlap (a hostile file could alias one buffer as two).
        let ranges = tensors.values.map(\.range).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(ranges, ranges.dropFirst()) where a.upperBound > b.lowerBound {
            throw .malformed("tensor data ranges overlap at byte \(b.lowerBound)")
        }
        self.tensors = tensors
        self.metadata = metadata
        self.data = data
    }

    private static func parseTensor(name: String, entry: JSON, dataSize: Int) throws(SafeTensorsError) -> Tensor {
        guard let dtypeName = entry["dtype"]?.stringValue else { throw .malformed("tensor \"\(name)\" has no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else { throw .malformed("tensor \"\(name)\" has unsupported dtype \(dtypeName)") }
        guard let shapeItems = entry["shape"]?.arrayValue else { throw .malformed("tensor \"\(name)\" has no shape") }
        var shape: [Int] = []
        var count = 1
        for item in shapeItems {
            guard let n = item.intValue, n >= 0, n <= 1 << 32 else { throw .malformed("tensor \"\(name)\" has a bad dimension") }
            shape.append(n)
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= dataSize else { throw .malformed("tensor \"\(name)\" is larger than the file") }
            count = product
        }
        guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue else {
            throw .malformed("tensor \"\(name)\" has no data_offsets pair")
        }
        guard 0 <= begin, begin <= end, end <= dataSize else {
            throw .truncated("tensor \"\(name)\" spans bytes \(begin)..<\(end) but the data section has \(dataSize)")
        }
        guard end - begin == count * dtype.size else {
            throw .malformed("tensor \"\(name)\" has \(end - begin) bytes, its shape \(shape) needs \(count * dtype.size)")
        }
        return Tensor(dtype: dtype, shape: shape, range: begin..<end)
    }

    /// The tensor, checked for dtype and (when given) shape.
    public func tensor(_ name: String, dtype: DType, shape: [Int]? = nil) throws(SafeTensorsError) -> Tensor {
        guard let tensor = tensors[name] else { throw .missingTensor(name) }
        guard tensor.dtype == dtype else { throw .wrongTensor(name, "dtype \(tensor.dtype.rawValue), expected \(dtype.rawValue)") }
        if let shape, tensor.shape != shape { throw .wrongTensor(name, "shape \(tensor.shape), expected \(shape)") }
        return tensor
    }

    /// Copies a tensor's elements out as `T` (little-endian host assumed: x86_64 and aarch64 both are).
    public func elements<T: BitwiseCopyable>(_ name: String, as type: T.Type, dtype: DType, shape: [Int]? = nil) throws(SafeTensorsError) -> [T] {
        let tensor = try tensor(name, dtype: dtype, shape: shape)
        precondition(MemoryLayout<T>.size == dtype.size, "element type does not match dtype")
        return [T](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initialized in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[tensor.range]))
            }
            initialized = tensor.elementCount
        }
    }
}

/// Builds a safetensors file: tensors packed contiguously in name order (the strict readers reject
/// holes), header keys sorted and padded to 8 bytes, so the same content always gives the same bytes.
public struct SafeTensorsWriter {
    private var entries: [(name: String, dtype: SafeTensors.DType, shape: [Int], bytes: [UInt8])] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public mutating func add<T: BitwiseCopyable>(_ name: String, dtype: SafeTensors.DType, shape: [Int], elements: [T]) {
        precondition(MemoryLayout<T>.size == dtype.size, "element type does not match dtype")
        precondition(shape.reduce(1, *) == elements.count, "shape does not match element count")
        precondition(name != "__metadata__" && !entries.contains { $0.name == name }, "duplicate tensor name")
        let bytes = elements.withUnsafeBytes { Array($0) }
        entries.append((name, dtype, shape, bytes))
    }

    public func serialized() -> [UInt8] {
        let sorted = entries.sorted { $0.name < $1.name }
        var header: [String: JSON] = [:]
        var offset = 0
        for entry in sorted {
            header[entry.name] = .object([
                "dtype": .string(entry.dtype.rawValue),
                "shape": .array(entry.shape.map { .number(Double($0)) }),
                "data_offsets": .array([.number(Double(offset)), .number(Double(offset + entry.bytes.count))]),
            ])
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var headerBytes = Array(JSON.object(header).serialized.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count)
        for _ in 0..<8 { out.append(UInt8(length & 0xFF)); length >>= 8 }
        out += headerBytes
        for entry in sorted { out += entry.bytes }
        return out
    }
}
