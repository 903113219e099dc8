import Inspection
import LineIO
import Platform

/// Requests from the operator's view (the HMI), handled on the inspection thread's turn like the
/// button: they change the service's state and its model, never an output directly.
extension ServiceCore {
    public func handle(_ request: ServiceRequest) -> [LineIOCommand] {
        switch request {
        case .startCalibration:
            logger.notice("calibration requested from the HMI")
            return startCalibration()
        case .cancelCalibration:
            logger.notice("calibration cancel requested from the HMI")
            return cancelCalibration()
        case .useModel(let model, let rollback):
            return useModel(model, rollback: rollback)
        case .setThreshold(let value, let expectedModel):
            setThreshold(value, modelID: expectedModel)
            return []
        }
    }

    /// A model written to the model path by someone else (the HMI's rollback): use it now.
    func useModel(_ model: ModelFile, rollback: Bool) -> [LineIOCommand] {
        switch state {
        case .calibrating, .fitting:
            logger.warning("model change refused while calibrating; it is used at the next start")
            return []
        default: break
        }
        do {
            installInspector(try Inspector(backbone: backbone, model: model))
        } catch {
            logger.error("rolled-back model unusable, the one in use stays: \(error)")
            return []
        }
        modelInstalled(model, swapped: true)
        if rollback, let modelID { resultSink?.event(.rollback(modelID: modelID), atNs: SystemClock.shared.nowNs) }
        logger.notice("\(rollback ? "rolled back to the previous model" : "model replaced") from the HMI", metadata: ["threshold": "\(model.threshold)"])
        if case .fault(let reason) = state, reason.hasPrefix("camera:") { return [] }  // back to inspecting when the camera is
        return transition(to: .inspecting)
    }

    /// A threshold already saved in the model file: the inspector uses it from the next part.
    func setThreshold(_ value: Float, modelID expected: String) {
        guard let inUse = modelInUse, inUse.modelID == expected, value.isFinite,
              inUse.acceptedThresholds?.contains(value) ?? false, setInspectorThreshold(value) else {
            logger.warning("threshold change to \(value) refused: the model changed or the value is out of its bounds")
            return
        }
        let old = inUse.threshold
        var updated = inUse
        updated.threshold = value
        modelInUse = updated
        _ = drift.restart(threshold: value)
        resultSink?.model(updated)
        resultSink?.event(.modelSwapped(modelID: inUse.modelID, threshold: value), atNs: SystemClock.shared.nowNs)
        logger.notice("threshold changed from the HMI: \(old) -> \(value) (saved in \(store.path))")
    }
}
