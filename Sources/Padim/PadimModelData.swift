/// A fitted PaDiM model's numbers in the file layout: per position, the mean [positions][d] and
/// the whitening factor W = L^-1 packed by rows of its lower triangle [positions][d(d+1)/2],
/// both float16.
public struct PadimModelData: Sendable, Equatable {
    public let geometry: PatchGeometry
    public let mean: Float16Buffer
    public let factor: Float16Buffer

    public init(geometry: PatchGeometry, mean: Float16Buffer, factor: Float16Buffer) {
        self.geometry = geometry
        self.mean = mean
        self.factor = factor
    }

    /// Checks sizes and that no value is NaN or infinite.
    public func validate() throws(PadimError) {
        guard mean.count == geometry.positions * geometry.dimensions else {
            throw .badModel("mean has \(mean.count) values, expected \(geometry.positions * geometry.dimensions)")
        }
        guard factor.count == geometry.positions * geometry.triangle else {
            throw .badModel("factor has \(factor.count) values, expected \(geometry.positions * geometry.triangle)")
        }
        guard mean.allFinite else { throw .badModel("mean contains NaN or infinity") }
        guard factor.allFinite else { throw .badModel("factor contains NaN or infinity") }
        // W = L^-1 of a Cholesky factor: lower triangular with a positive diagonal. A zero or
        // negative diagonal entry is no whitening factor (an all-zero one would score every part 0).
        let d = geometry.dimensions, triangle = geometry.triangle
        let bits = factor.bits
        for p in 0..<geometry.positions {
            for i in 0..<d {
                let value = bits[p * triangle + i * (i + 1) / 2 + i]
                guard value & 0x8000 == 0, value & 0x7FFF != 0 else {
                    throw .badModel("factor is not a whitening factor: diagonal entry \(i) of position \(p) is not positive")
                }
            }
        }
    }
}
