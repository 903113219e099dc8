import Configuration
import LineIO
import Service

extension Service.ServiceSettings {
    /// The service's settings from the [model], [calibration] and [service] sections.
    init(_ config: LinesideConfiguration) {
        self.init()
        modelPath = config.model.path
        previousModelPath = config.model.previousPath
        noModelVerdict = config.model.noModelPolicy == .pass ? .pass : .reject
        backboneThreads = config.model.threads
        calibrationFrames = config.calibration.frames
        calibrationSpacingNs = UInt64(config.calibration.minimumSpacing.components.seconds) * 1_000_000_000
            + UInt64(config.calibration.minimumSpacing.components.attoseconds / 1_000_000_000)
        fit = config.calibration.fit
        trigger = config.service.trigger == .partPresent ? .partPresent : .freeRun
        statusPath = config.service.statusFile
        statusIntervalNs = UInt64(config.service.statusInterval.components.seconds) * 1_000_000_000
            + UInt64(config.service.statusInterval.components.attoseconds / 1_000_000_000)
    }
}
