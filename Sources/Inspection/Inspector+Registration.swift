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

    /// How close to the frame's edge (view pixels) a patch's centre may come from after the
    /// correction before the patch counts as unseen: the replicated border reaches patches through
    /// the backbone's receptive field (at 6 px, patches next to the band still scored as defects
    /// on generated parts turned by 7 degrees; at 16 px they do not).
    static let unseenMargin = 16.0

    /// Patches of a corrected part that the camera did not see: the correction brought their
    /// pixels in from beyond the frame's edge (replicated border), so their distance says nothing
    /// about the part. Their distance is set to 0 (not inspected), as the crop leaves out the
    /// frame's border anyway.
    func ignoreUnseenPatches() {
        guard let view = lastView, view.corrected else { return }
        let m = view.alignment.matrix
        let gh = extractor.geometry.gridHeight, gw = extractor.geometry.gridWidth
        let cellX = Double(Preprocessor.cropTo) / Double(gw), cellY = Double(Preprocessor.cropTo) / Double(gh)
        let offset = Double(Preprocessor.cropOffset), margin = Self.unseenMargin
        let far = Double(RegistrationGeometry.view - 1) - margin
        for i in 0..<gh {
            let y = offset + (Double(i) + 0.5) * cellY - 0.5
            for j in 0..<gw {
                let x = offset + (Double(j) + 0.5) * cellX - 0.5
                let fx = m[0] * x + m[1] * y + m[2], fy = m[3] * x + m[4] * y + m[5]
                if !(fx >= margin && fx <= far && fy >= margin && fy <= far) { grid[i * gw + j] = 0 }
            }
        }
    }

    /// The last part's anomaly map drawn back onto its region as captured (the view's centre crop
    /// warped by the inverse of the correction): 224x224 over the uncorrected crop. Without
    /// registration (or a part left uncorrected) a copy of the map itself. Always an array of its
    /// own, so a caller that keeps it never makes the next part's scoring copy the inspector's map.
    public func anomalyMapAsCaptured() throws(InspectionError) -> [Float] {
        guard let view = lastView, view.corrected else { return anomaly.map.withUnsafeBufferPointer { Array($0) } }
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
        let registered: RegisteredView
        do { registered = try registrar.register(image, region: region, parallel: backbone.pool) } catch { throw .registration(error) }
        // The registered view's centre crop is the model input.
        registrar.writeInput(into: backbone.input)
        do { try runBackbone() } catch { throw .backbone(error) }
        gather()
        return registered
    }
}
