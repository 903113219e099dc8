import ImageCodec
import Imaging
import Inspection
import Registration

/// The first pass of a fit with position correction: every good image's thumbnail, the reference
/// built from them, and what the fit records about it.
enum RegistrationFit {
    struct Result {
        let reference: RegistrationReference
        let qualities: [Double]
        var facts: [String: String] {
            let sorted = qualities.sorted()
            return ["registration_quality": "min \(sorted.first ?? 0) median \(sorted[sorted.count / 2]) max \(sorted.last ?? 0)",
                    "registration_parts": String(qualities.count)]
        }
        var summary: String {
            let sorted = qualities.sorted()
            return "registration reference from \(qualities.count) parts, match quality min \(fixed(sorted.first ?? 0, 3)) median \(fixed(sorted[sorted.count / 2], 3))"
        }
    }

    /// nil (with a printed line) when the good parts do not share one position: the fit then goes
    /// without registration (`RegistrationReference.unsuitability`).
    static func reference(paths: [String]) throws -> Result? {
        var thumbnails: [[Float]] = []
        for (i, path) in paths.enumerated() {
            let image: Image
            do { image = try ImageDecoder.read(path) } catch { throw InspectionError.image(error) }
            do { thumbnails.append(try Registrar.thumbnail(image)) } catch { throw InspectionError.registration(error) }
            Console.progress("registration reference: \(i + 1)/\(paths.count) images")
        }
        Console.endProgress()
        do {
            let built = try RegistrationReference.build(thumbnails: thumbnails)
            if let why = RegistrationReference.unsuitability(alignments: built.alignments) {
                print("registration off for this model: \(why)")
                return nil
            }
            return Result(reference: built.reference, qualities: built.qualities)
        } catch { throw InspectionError.registration(error) }
    }
}
