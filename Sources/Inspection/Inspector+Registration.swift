import Imaging
import Registration

/// How a model fitted with registration is inspected.
public enum RegistrationUse: Sendable, Equatable {
    /// Locate each part and correct it when it lies inside the tolerance (the default).
    case correct(RegistrationTolerance)
    /// Locate and judge each part but inspect it uncorrected (`--no-register`, to compare).
    case measureOnly(RegistrationTolerance)
}

extension Inspector {
    static func makeRegistrar(_ reference: RegistrationReference?, _ use: RegistrationUse) -> Registrar? {
        guard let reference else { return nil }
        switch use {
        case .correct(let tolerance): return Registrar(reference: reference, tolerance: tolerance)
        case .measureOnly(let tolerance):
            let registrar = Registrar(reference: reference, tolerance: tolerance)
            registrar.correcting = false
            return registrar
        }
    }

    /// The last part's anomaly map drawn back onto its region as captured (the view's centre crop
    /// warped by the inverse of the correction): 224x224 over the uncorrected crop. Without
    /// registration (or a part left uncorrected) the map itself.
    public func anomalyMapAsCaptured() throws(InspectionError) -> [Float] {
        guard let view = lastView, view.corrected else { return anomaly.map }
        do {
            return try Registrar.mapBack(anomaly.map, width: Preprocessor.cropTo, height: Preprocessor.cropTo,
                                         origin: Preprocessor.cropOffset, alignment: view.alignment)
        } catch { throw .registration(error) }
    }
}

extension FeatureExtractor {
    /// Features of one region: straight through the preprocessing without a registrar; with one,
    /// the region's registered view (resized to 256, corrected when located) through it. Returns
    /// the registered view (nil without a registrar).
    func extract(_ image: Image, region: PixelRect?, registrar: Registrar?) throws(InspectionError) -> RegisteredView? {
        guard let registrar else {
            do { try extract(image, region: region) } catch { throw .backbone(error) }
            return nil
        }
        let view: RegisteredView
        do { view = try registrar.register(image, region: region) } catch { throw .registration(error) }
        // The view is already 256x256: the preprocessing's resize is the identity, then its crop.
        do { try extract(view.image) } catch { throw .backbone(error) }
        return view
    }
}
