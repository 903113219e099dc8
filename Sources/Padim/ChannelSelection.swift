import Platform

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
