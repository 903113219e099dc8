import Capture
import Imaging
import LineIO
import Service
import Synchronization
import Testing

private final class Recording: ResultSink {
    let wants: Bool
    let wantsFrames: Bool
    let seen = Mutex<[String]>([])
    init(wants: Bool, frames: Bool = false) { self.wants = wants; wantsFrames = frames }
    func part(_ record: PartRecord) { seen.withLock { $0.append("part \(record.part)") } }
    func part(_ record: PartRecord, image: PartImage) {
        seen.withLock { $0.append("picture \(record.part) \(image.region.width)\(image.frame.map { " frame \($0.image.width)" } ?? "")") }
    }
    func frame(_ overview: FrameOverview, captureNs: UInt64) { seen.withLock { $0.append("view \(overview.image.width)") } }
    func wantsImage(for record: PartRecord) -> Bool { wants }
    func status(_ report: StatusReport) {}
    func event(_ event: ServiceEvent, atNs: UInt64) { seen.withLock { $0.append(event.name) } }
}

@Suite struct ResultSinksTests {
    private let record = PartRecord(part: 7, sequence: 7, captureNs: 1, score: 1, threshold: 2, verdict: .pass, reason: "score",
                                    modelID: nil, latencyNs: nil)

    @Test func picturesGoOnlyToTheSinksThatWantThem() {
        let plain = Recording(wants: false), wanting = Recording(wants: true)
        let sinks = ResultSinks([plain, wanting])
        #expect(sinks.wantsImage(for: record))
        sinks.part(record, image: PartImage(region: Image(width: 4, height: 3, layout: .rgb), map: nil, mapSize: 0))
        sinks.event(.fault(reason: "x"), atNs: 0)
        #expect(plain.seen.withLock { $0 } == ["part 7", "fault"])
        #expect(wanting.seen.withLock { $0 } == ["picture 7 4", "fault"])
        #expect(!ResultSinks([plain]).wantsImage(for: record))
    }

    @Test func aFrameWithItsOverviewGoesToTheSinksThatWantFrames() {
        let plain = Recording(wants: false), viewer = Recording(wants: false, frames: true)
        let sinks = ResultSinks([plain, viewer])
        #expect(sinks.wantsFrames && !sinks.wantsImage(for: record))
        let overview = FrameOverview(image: Image(width: 6, height: 5, layout: .rgb), step: 1, region: nil)
        sinks.part(record, image: PartImage(region: Image(width: 4, height: 3, layout: .rgb), map: nil, mapSize: 0, frame: overview))
        sinks.frame(overview, captureNs: 2)
        #expect(plain.seen.withLock { $0 } == ["part 7"])
        #expect(viewer.seen.withLock { $0 } == ["picture 7 4 frame 6", "view 6"])
        #expect(!ResultSinks([plain]).wantsFrames)
    }

    @Test func combiningSkipsAbsentSinks() {
        let one = Recording(wants: false)
        #expect(ResultSinks.combine([nil, nil]) == nil)
        #expect(ResultSinks.combine([nil, one]) === one)
        #expect(ResultSinks.combine([one, Recording(wants: true)]) is ResultSinks)
    }

    @Test func theRequestHandOffIsBoundedAndTakenInOrder() {
        let requests = ServiceRequests()
        for _ in 0..<ServiceRequests.limit { #expect(requests.post(.startCalibration)) }
        #expect(!requests.post(.cancelCalibration))
        #expect(requests.take().count == ServiceRequests.limit)
        #expect(requests.take().isEmpty)
        #expect(requests.post(.cancelCalibration))
    }
}
