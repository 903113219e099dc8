import Backbone
import Configuration
import Imaging
import Inspection
import Padim
import Registration

/// One on-site fit, from the long press to the saved model: capture good parts, finish the fit a
/// few positions per turn, score the held-out parts, set the threshold.
final class Calibration {
    enum Phase {
        case capturing
        case finishing
        case scoring(model: ModelFile, inspector: Inspector, scores: [Float])
        case done(ModelFile)
    }

    let target: Int
    let spacingNs: UInt64
    let fitter: Fitter
    private(set) var phase: Phase = .capturing
    /// Held here, not in `phase`, so stepping mutates it in place (its buffers are tens of MB).
    private var finisher: FitFinisher?
    private(set) var captured = 0
    private var lastCaptureNs: UInt64?
    /// Parts not yet in the fit. With [registration] enabled the first ones wait here until the
    /// registration reference is built from them (`referenceParts`, or fewer when the calibration
    /// is shorter), then go into the fit registered like every later part. Every call (`offer` or
    /// `step`) does one piece of work: one part's thumbnail, one alignment of the reference's
    /// build, or one part through the backbone, so the service's loop keeps turning (and petting
    /// its watchdog) on a slow board: under qemu the twelve parts and the build in one turn took
    /// more than the watchdog's 10 s.
    private var pending: [Image] = []
    private var thumbnails: [[Float]] = []
    private var awaitingReference: Bool
    private var referenceBuilder: RegistrationReferenceBuilder?
    static let referenceParts = 12
    /// How the held-out parts are inspected for the threshold: as the service will inspect parts
    /// with the new model (the configured tolerance), not with the default one.
    private let registrationUse: RegistrationUse
    /// Set when the first parts shared no one position: the model is fitted without registration.
    private(set) var registrationOffReason: String?

    init(backbone: Int8Backbone, settings: ServiceSettings) throws(InspectionError) {
        target = settings.calibration.frames
        spacingNs = settings.calibration.minimumSpacing.nanoseconds
        fitter = try Fitter(backbone: backbone, settings: settings.calibration.fit, expectedImages: settings.calibration.frames)
        awaitingReference = settings.registration.enabled
        registrationUse = settings.registration.use
    }

    /// One piece of the work waiting before the fit can finish: an alignment of the reference's
    /// build (then the reference's verdict), else one waiting part into the fit. False when none.
    private func advance() throws(InspectionError) -> Bool {
        if let builder = referenceBuilder {
            do {
                guard try builder.step(), let built = builder.built else { return true }
                referenceBuilder = nil
                awaitingReference = false
                if let why = RegistrationReference.unsuitability(alignments: built.alignments) {
                    registrationOffReason = why
                } else {
                    try fitter.useRegistration(built.reference)
                }
            } catch let error as InspectionError { throw error } catch let error as RegistrationError { throw .registration(error) } catch {
                throw .dataset(path: "calibration", reason: "\(error)")
            }
            return true
        }
        guard !awaitingReference, !pending.isEmpty else { return false }
        try fitter.add(pending.removeFirst())
        return true
    }

    /// Offers a frame of a good part; returns false when it was skipped (too soon after the last).
    func offer(_ image: Image, captureNs: UInt64) throws(InspectionError) -> Bool {
        guard case .capturing = phase else { return false }
        if let last = lastCaptureNs, captureNs &- last < spacingNs { return false }
        lastCaptureNs = captureNs
        captured += 1
        if awaitingReference && referenceBuilder == nil {
            pending.append(image)
            do { thumbnails.append(try Registrar.thumbnail(image)) } catch { throw .registration(error) }
            if captured >= min(target, Self.referenceParts) {
                do { referenceBuilder = try RegistrationReferenceBuilder(thumbnails: thumbnails) } catch { throw .registration(error) }
                thumbnails = []
            }
        } else if pending.isEmpty && !awaitingReference {
            try fitter.add(image)
        } else {
            pending.append(image)
            _ = try advance()
        }
        if captured >= target { phase = .finishing }  // the finisher is made once every part is in
        return true
    }

    /// Does one slice of the remaining work; returns the progress 0...1 of the fitting phases.
    func step(positions: Int) throws(InspectionError) -> Double {
        switch phase {
        case .capturing, .done:
            break
        case .finishing:
            if try advance() { break }
            if finisher == nil { finisher = try fitter.makeFinisher() }
            let finished: Bool
            do { finished = try finisher!.step(positions: positions) } catch { throw .padim(error) }
            if finished {
                var facts = ["source": "on-site calibration"]
                if let registrationOffReason { facts["registration_off"] = registrationOffReason }
                let model = fitter.model(from: finisher!.result!, extraFacts: facts)
                finisher = nil
                phase = .scoring(model: model, inspector: try Inspector(backbone: fitter.extractor.backbone, model: model, registration: registrationUse),
                                 scores: [])
            }
        case .scoring(var model, let inspector, var scores):
            phase = .capturing  // drop the enum's references while the locals are mutated
            let heldOut = fitter.heldOutImages
            if scores.count < heldOut.count { scores.append(try inspector.inspect(heldOut[scores.count])) }
            if scores.count == heldOut.count {
                fitter.setThreshold(&model, heldOutScores: scores)
                phase = .done(model)
            } else {
                phase = .scoring(model: model, inspector: inspector, scores: scores)
            }
        }
        return progress
    }

    var progress: Double {
        switch phase {
        case .capturing: 0
        case .finishing: 0.9 * (finisher?.progress ?? 0)
        case .scoring(_, _, let scores): 0.9 + 0.1 * Double(scores.count) / Double(max(1, fitter.heldOutImages.count))
        case .done: 1
        }
    }
}
