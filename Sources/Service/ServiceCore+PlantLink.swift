import Capture
import Drift
import Imaging
import Inspection
import LineIO
import Platform

/// The plant link's hooks in the decisions: part records and events for the `ResultSink`, and
/// the drift watch on good parts (its warning, log line, light pattern and event).
extension ServiceCore {
    /// After each part: the record for the sink; good parts feed the drift watch.
    func reportPart(_ part: PartID, sequence: UInt32, captureNs: UInt64, image: Image, overview: FrameOverview?, score: Float?,
                    verdict: Verdict, stateBefore: ServiceState, nowNs: UInt64) -> [LineIOCommand] {
        var commands: [LineIOCommand] = []
        if verdict == .pass, let score, case .inspecting = stateBefore, settings.drift.enabled {
            if let change = drift.observeGoodPart(score: score, statistics: RegionStatistics.of(image)) {
                commands += driftChanged(change, nowNs: nowNs)
            }
        }
        guard let sink = resultSink else { return commands }
        let reason: String
        switch stateBefore {
        case .inspecting: reason = verdict == .inspectionFailed ? "inspection-failed" : lastOffset?.located == false ? "not-located" : "score"
        case .calibrating, .fitting: reason = "calibrating"
        case .fault: reason = "fault"
        case .starting, .noModel: reason = "no-model"
        }
        var record = PartRecord(part: part.rawValue, sequence: sequence, captureNs: captureNs, score: score, threshold: threshold,
                                verdict: verdict, reason: reason, modelID: modelID,
                                latencyNs: score != nil && nowNs > captureNs ? nowNs &- captureNs : nil)
        if case .inspecting = stateBefore, score != nil { record.offset = lastOffset }
        if sink.wantsPictures(for: record, withFrame: overview != nil) {
            // Pictures only for the parts a sink asked for: the region and overview are shared, the
            // map copied (drawn back onto the region as captured when registration corrected it).
            let map = score == nil ? nil : inspectorMapAsCaptured
            sink.part(record, image: PartImage(region: image, map: map, mapSize: inspectorMapSize, frame: overview))
        } else {
            sink.part(record)
        }
        return commands
    }

    func driftChanged(_ change: DriftWatch.Change, nowNs: UInt64) -> [LineIOCommand] {
        switch change {
        case .started(let reading):
            logger.warning("drift warning (\(reading.reasons.joined(separator: ", "))): \(reading.text); parts are still judged by the threshold: check the lighting and the lens")
            resultSink?.event(.drift(active: true, reading: reading), atNs: nowNs)
            if case .inspecting = state { return [.setStatus(.drift)] }
        case .cleared(let reading):
            logger.notice("drift warning cleared: \(reading.text)")
            resultSink?.event(.drift(active: false, reading: reading), atNs: nowNs)
            if case .inspecting = state { return [.setStatus(.ready)] }
        }
        return []
    }

    /// A model came into use: its id, a fresh drift reference.
    func modelInstalled(_ model: ModelFile, swapped: Bool) {
        let id = Self.modelID(of: model)
        modelID = id
        _ = drift.restart(threshold: model.threshold)
        let heldOut = (model.facts["holdout_values"] ?? "").split(separator: " ").prefix(2000).compactMap { Float($0) }.filter(\.isFinite)
        let inUse = ModelInUse(modelID: id, threshold: model.threshold, acceptedThresholds: model.acceptedThresholds,
                               heldOutScores: heldOut, facts: model.facts)
        modelInUse = inUse
        resultSink?.model(inUse)
        let now = SystemClock.shared.nowNs
        if swapped {
            resultSink?.event(.modelSwapped(modelID: id, threshold: model.threshold), atNs: now)
        } else {
            resultSink?.event(.modelLoaded(modelID: id, threshold: model.threshold), atNs: now)
        }
    }

    /// A model's identity: 16 hex digits of the SHA-256 of its mean and channels (a threshold
    /// change keeps it).
    public static func modelID(of model: ModelFile) -> String {
        var digest = SHA256()
        model.data.mean.bits.withUnsafeBytes { digest.update($0) }
        for channel in model.channels { digest.update([UInt8(truncatingIfNeeded: channel), UInt8(truncatingIfNeeded: channel >> 8)]) }
        return String(SHA256.hex(digest.finalize()).prefix(16))
    }

    /// The light for a state: `ready` shows the drift pattern while the warning is on.
    func statusMode(for next: ServiceState) -> StatusMode {
        next.statusMode == .ready && drift.isWarning ? .drift : next.statusMode
    }

    /// Events for state changes the plant cares about (faults and their end).
    func noteTransition(from previous: ServiceState, to next: ServiceState) {
        guard let sink = resultSink else { return }
        let now = SystemClock.shared.nowNs
        switch (previous, next) {
        case (.fault(let a), .fault(let b)) where a == b: break
        case (_, .fault(let reason)): sink.event(.fault(reason: reason), atNs: now)
        case (.fault, _): sink.event(.faultCleared(state: next.name), atNs: now)
        default: break
        }
    }

    /// The drift watch's last reading and whether it warns, for the status.
    public var driftStatus: (warning: Bool, reading: DriftReading?) { (drift.isWarning, drift.last) }
}
