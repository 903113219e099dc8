import Capture
import CaptureFakes
import Testing

@Suite("Capture benchmark")
struct CaptureBenchmarkTests {
    @Test func benchmarkMeasuresEveryStandardCase() throws {
        let frames = 200
        let figures = try CaptureBenchmark.run(frames: frames)
        #expect(figures.map(\.name) == CaptureBenchmark.standardCases.map(\.name))
        for figure in figures {
            #expect(figure.frames == frames)
            #expect(figure.medianNanoseconds > 0 && figure.p99Nanoseconds >= figure.medianNanoseconds)
            print(figure)
        }
        // Converting a full frame costs more than handing the buffer back untouched.
        #expect(figures[1].medianNanoseconds > figures[0].medianNanoseconds)
    }
}
