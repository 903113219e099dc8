import CPadimKernels

/// float16 values held as their bit patterns, converted in bulk by the C kernel (F16C on x86_64,
/// native on aarch64) instead of one library call per value on a baseline x86 build.
public struct Float16Buffer: Sendable, Equatable {
    public var bits: [UInt16]

    public init(bits: [UInt16]) { self.bits = bits }

    public init(_ values: [Float]) {
        var bits = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            bits.withUnsafeMutableBufferPointer { lineside_f32_to_f16(src.baseAddress, $0.baseAddress, values.count) }
        }
        self.bits = bits
    }

    /// Converts `values` into float16 bits in `out` (same count).
    public static func convert(_ values: [Float], into out: UnsafeMutableBufferPointer<UInt16>) {
        precondition(out.count == values.count, "sizes differ")
        values.withUnsafeBufferPointer { lineside_f32_to_f16($0.baseAddress, out.baseAddress, values.count) }
    }

    public var count: Int { bits.count }

    public func floats() -> [Float] {
        var out = [Float](repeating: 0, count: bits.count)
        bits.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { lineside_f16_to_f32(src.baseAddress, $0.baseAddress, bits.count) }
        }
        return out
    }

    /// True when every value is finite (no NaN, no infinity): exponent bits not all ones.
    public var allFinite: Bool { bits.allSatisfy { $0 & 0x7C00 != 0x7C00 } }
}
