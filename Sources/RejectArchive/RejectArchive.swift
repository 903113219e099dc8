import Configuration
import ImageCodec
import Imaging
import LineIO
import Logging
import Platform
import Service
import Synchronization

/// The reject archive as a `ResultSink`: the inspection thread only appends a part and its
/// pictures to a bounded in-memory queue under a lock and signals (a full queue drops the part and
/// counts it: a verdict and its pulse never wait); the archive's own thread paints the heatmap,
/// encodes both pictures as JPEG, writes the record and, at most twice a second or when idle,
/// the index.
public final class RejectArchive: ResultSink {
    public struct Figures: Sendable, Equatable {
        public var written: UInt64 = 0
        /// Parts not archived because the queue was full.
        public var dropped: UInt64 = 0
        public var failures: UInt64 = 0
        public var evicted: UInt64 = 0
        public var records = 0
        public var bytes = 0
        public var lastProblem: String?
    }

    /// Parts waiting for the writer thread; beyond it they are dropped (counted).
    public static let queueLimit = 32
    /// The newest records kept in memory for the HMI.
    public static let recentLimit = 200
    static let indexIntervalNs: UInt64 = 500_000_000

    public let settings: ArchiveSettings
    let logger: Logger
    private let queue = Mutex<[(PartRecord, PartImage)]>([])
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let state = Mutex<(figures: Figures, recent: [ArchiveRecord])>((Figures(), []))
    /// Set in init and cleared by `stop`, both on the owner's thread.
    nonisolated(unsafe) private var thread: PosixThread?

    /// Opens the archive (repairing what a kill left: the problems are logged) and starts its thread.
    public init(settings: ArchiveSettings, logger: Logger) throws(ArchiveError) {
        self.settings = settings
        self.logger = logger
        let store = try RejectArchiveStore(folder: settings.folder, maxRecords: settings.maxRecords, maxBytes: settings.maxBytes)
        for problem in store.problems.prefix(10) { logger.warning("archive: \(problem)") }
        if store.problems.count > 10 { logger.warning("archive: \(store.problems.count - 10) more problems repaired in \(settings.folder)") }
        publish(store)
        let box = StoreBox(store)
        do {
            thread = try PosixThread { [self] in self.run(box.take()) }
        } catch {
            throw .file(FileError(path: settings.folder, operation: "start the archive thread", errno: error))
        }
    }

    // MARK: ResultSink (inspection thread: decide, lock, append, signal)

    public func wantsImage(for record: PartRecord) -> Bool {
        record.verdict != .pass || (settings.everyNthPass > 0 && record.part % UInt64(settings.everyNthPass) == 0)
    }

    public func part(_ record: PartRecord) {}
    public func status(_ report: StatusReport) {}
    public func event(_ event: ServiceEvent, atNs: UInt64) {}

    public func part(_ record: PartRecord, image: PartImage) {
        let accepted = queue.withLock { items in
            guard items.count < Self.queueLimit else { return false }
            items.append((record, image))
            return true
        }
        if accepted { wakeup.signal() } else { state.withLock { $0.figures.dropped += 1 } }
    }

    // MARK: for readers (HMI, tests)

    public var figures: Figures { state.withLock { $0.figures } }
    /// The newest records, oldest first (at most `recentLimit`).
    public var recent: [ArchiveRecord] { state.withLock { $0.recent } }

    /// Waits (tests) until the queue is empty and `condition` holds, up to `timeout`.
    public func wait(for timeout: Duration, until condition: (Figures) -> Bool) -> Bool {
        let deadline = SystemClock.shared.nowNs &+ timeout.nanoseconds
        while SystemClock.shared.nowNs < deadline {
            if queue.withLock({ $0.isEmpty }), condition(figures) { return true }
            SystemClock.shared.sleep(for: .milliseconds(5))
        }
        return condition(figures)
    }

    /// Writes what is queued, then the index, and stops the thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        thread?.join()
        thread = nil
    }

    // MARK: the archive's thread

    private func run(_ store: RejectArchiveStore) {
        PosixThread.lowerCurrentThreadPriority()
        var preprocessor = Preprocessor()
        var lastIndexNs: UInt64 = 0
        while true {
            let items = queue.withLock { pending in defer { pending = [] }; return pending }
            for (record, image) in items { write(record, image, store: store, preprocessor: &preprocessor) }
            let now = SystemClock.shared.nowNs
            let idle = queue.withLock { $0.isEmpty }
            if store.indexDirty, idle || now &- lastIndexNs >= Self.indexIntervalNs {
                do { try store.flushIndex() } catch { noteFailure("\(error)") }
                lastIndexNs = now
            }
            publish(store)
            if stopping.load(ordering: .acquiring), idle { break }
            if idle { _ = wakeup.wait(untilNs: now &+ 200_000_000) }
        }
        if store.indexDirty { do { try store.flushIndex() } catch { noteFailure("\(error)") } }
        publish(store)
    }

    private func write(_ part: PartRecord, _ image: PartImage, store: RejectArchiveStore, preprocessor: inout Preprocessor) {
        do {
            let pictures = try Self.pictures(image, threshold: part.threshold, quality: settings.jpegQuality, preprocessor: &preprocessor)
            let record = try store.append(Self.draft(part), region: pictures.region, heatmap: pictures.heatmap)
            state.withLock { s in
                s.figures.written += 1
                s.recent.append(record)
                if s.recent.count > Self.recentLimit { s.recent.removeFirst(s.recent.count - Self.recentLimit) }
            }
        } catch {
            noteFailure("\(error)")
        }
    }

    private func noteFailure(_ text: String) {
        let first = state.withLock { s in
            defer { s.figures.failures += 1; s.figures.lastProblem = text }
            return s.figures.failures == 0 || s.figures.lastProblem != text
        }
        if first { logger.error("archive: \(text)") }
    }

    private func publish(_ store: RejectArchiveStore) {
        let live = Set(store.records.suffix(Self.recentLimit).map(\.id))
        state.withLock { s in
            s.figures.records = store.records.count
            s.figures.bytes = store.totalBytes
            s.figures.evicted = store.evicted
            if s.recent.isEmpty { s.recent = Array(store.records.suffix(Self.recentLimit)) }
            s.recent.removeAll { !live.contains($0.id) }
        }
    }

    /// The record's figures from the part (id and sizes are set by the store).
    static func draft(_ part: PartRecord) -> ArchiveRecord {
        let reason: ArchiveRecord.Reason
        switch (part.verdict, part.reason) {
        case (.pass, _): reason = .passSample
        case (_, "score"): reason = .score
        case (_, "no-model"), (_, "calibrating"): reason = .notInspected
        case (_, "not-located"): reason = .notLocated
        default: reason = .failSafe
        }
        let verdict = switch part.verdict {
        case .pass: "pass"
        case .reject: "reject"
        case .inspectionFailed: "fail-safe"
        }
        return ArchiveRecord(id: 0, part: part.part, captureMs: WallClock.ms(monotonicNs: part.captureNs), score: part.score,
                             threshold: part.threshold, verdict: verdict, reason: reason, detail: String(part.reason.prefix(64)),
                             modelID: part.modelID, offset: part.offset, regionBytes: 0, heatmapBytes: 0)
    }

    /// The region as JPEG and, when the part was inspected, the heatmap over the model's view.
    public static func pictures(_ image: PartImage, threshold: Float?, quality: Int, preprocessor: inout Preprocessor)
        throws(ArchiveError) -> (region: [UInt8], heatmap: [UInt8]) {
        do {
            let region = try JPEGEncoder.encode(image.region, quality: quality)
            guard let overlay = heatmapView(image, threshold: threshold, preprocessor: &preprocessor) else { return (region, []) }
            return (region, try JPEGEncoder.encode(overlay, quality: quality))
        } catch {
            throw .image("\(error)")
        }
    }

    /// The heatmap painted over the 224x224 view the model saw; nil without a map.
    public static func heatmapView(_ image: PartImage, threshold: Float?, preprocessor: inout Preprocessor) -> Image? {
        guard let map = image.map, image.mapSize == Preprocessor.cropTo, map.count == image.mapSize * image.mapSize else { return nil }
        let view = preprocessor.croppedRGB(image.region)
        return Heatmap.overlay(view, map: map, threshold: heatmapLimit(map, threshold: threshold))
    }

    /// The value a heatmap paints red: the part's threshold, or the map's own maximum without one.
    public static func heatmapLimit(_ map: [Float], threshold: Float?) -> Float {
        threshold.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? max(map.max() ?? 1, 1e-6)
    }
}

/// Hands the store, opened on the caller's thread, to the archive's thread (which alone uses it).
private final class StoreBox: @unchecked Sendable {
    // @unchecked: moved once, before the thread that takes it starts.
    private var store: RejectArchiveStore?
    init(_ store: RejectArchiveStore) { self.store = store }
    func take() -> RejectArchiveStore { defer { store = nil }; return store! }
}
