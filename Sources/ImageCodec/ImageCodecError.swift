/// Why an image file could not be read or written; one line naming the file.
public enum ImageCodecError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case unknownFormat(path: String)
    case corrupt(path: String, reason: String)
    case tooLarge(path: String, width: Int, height: Int)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .empty(let path): "\(path): file is empty (0 bytes), not an image"
        case .unknownFormat(let path): "\(path): not a PNG or JPEG image"
        case .corrupt(let path, let reason): "\(path): corrupt image: \(reason)"
        case .tooLarge(let path, let width, let height):
            "\(path): image is \(width)x\(height), larger than the \(ImageDecoder.maximumPixels / 1_000_000) megapixels lineside accepts"
        case .writeFailed(let path, let reason): "\(path): cannot write image: \(reason)"
        }
    }
}
