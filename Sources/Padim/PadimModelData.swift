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
    }
}
