/// The fixed random subset of feature channels PaDiM keeps ("Rd100"), drawn once per model.
///
/// The draw is specified so that tools/padim_reference.py reproduces it: SplitMix64 seeded with
/// `seed`, a partial Fisher-Yates shuffle of 0..<total for the first `count` slots, sorted.
public enum ChannelSelection {
    public static func draw(count: Int, from total: Int, seed: UInt64) -> [Int] {
        precondition(count > 0 && count <= total, "cannot draw \(count) of \(total) channels")
        var rng = SplitMix64(seed: seed)
        var all = Array(0..<total)
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(total - i))
            all.swapAt(i, j)
        }
        return all[0..<count].sorted()
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fully specified, identical in Swift and numpy.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
