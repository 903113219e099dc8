import Capture
import LineIO
import Platform
import RejectArchive
import Service
import Synchronization

/// What the HMI shows, as snapshots the service's sink calls leave under a short lock (nothing
/// here is held while anyone waits; the HTTP thread copies what it needs and lets go).
final class HMIState: Sendable {
    struct Live: Sendable {
        var record: PartRecord
        var image: PartImage
        var atNs: UInt64
    }

    /// The newest frame overview, with the part it showed (nil: a frame between parts).
    struct View: Sendable {
        var number: UInt64
        var overview: FrameOverview
        var part: Live?
    }

    struct Recent: Sendable {
        var part: UInt64
        var score: Float
        var rejected: Bool
        var latencyMs: Double?
        var captureNs: UInt64
    }

    struct Event: Sendable {
        var ms: Int64
        var text: String
    }

    struct Snapshot: Sendable {
        var status: StatusReport?
        var model: ModelInUse?
        var live: Live?
        var view: View?
        var recent: [Recent]
        var events: [Event]
        var partsSeen: UInt64
        var lastAction: String?
    }

    static let recentLimit = 400
    static let eventLimit = 20

    private let state = Mutex(Snapshot(status: nil, model: nil, live: nil, view: nil, recent: [], events: [], partsSeen: 0, lastAction: nil))
    /// When the live picture was last taken (CLOCK_MONOTONIC ns): the sink asks for pictures only
    /// every `liveIntervalNs`, so the inspection copies a map about 5 times a second at most.
    let lastLiveNs = Atomic<UInt64>(0)
    let liveIntervalNs: UInt64

    init(liveIntervalNs: UInt64) { self.liveIntervalNs = liveIntervalNs }

    var snapshot: Snapshot { state.withLock { $0 } }

    func part(_ record: PartRecord) {
        state.withLock { s in
            s.partsSeen &+= 1
            guard let score = record.score else { return }
            if s.recent.count >= Self.recentLimit { s.recent.removeFirst(s.recent.count - Self.recentLimit + 1) }
            s.recent.append(Recent(part: record.part, score: score, rejected: record.verdict != .pass,
                                   latencyMs: record.latencyNs.map { Double($0) / 1e6 }, captureNs: record.captureNs))
        }
    }

    func live(_ record: PartRecord, image: PartImage, nowNs: UInt64) {
        lastLiveNs.store(nowNs, ordering: .relaxed)
        let live = Live(record: record, image: image, atNs: nowNs)
        state.withLock { s in
            s.live = live
            if let frame = image.frame { s.view = View(number: (s.view?.number ?? 0) &+ 1, overview: frame, part: live) }
        }
    }

    /// A frame that showed no part (part-present mode): the live view shows it without a verdict.
    func frame(_ overview: FrameOverview) {
        state.withLock { s in
            s.view = View(number: (s.view?.number ?? 0) &+ 1, overview: overview, part: nil)
        }
    }

    func status(_ report: StatusReport) { state.withLock { $0.status = report } }
    func model(_ model: ModelInUse) { state.withLock { $0.model = model } }

    func event(_ text: String) {
        state.withLock { s in
            s.events.append(Event(ms: WallClock.nowMs(), text: text))
            if s.events.count > Self.eventLimit { s.events.removeFirst(s.events.count - Self.eventLimit) }
        }
    }

    func action(_ text: String) {
        state.withLock { $0.lastAction = text }
        event(text)
    }
}
