import CJPEG
import Glibc
import Imaging

/// Encodes `Image`s as JPEG in memory (libjpeg-turbo): the reject archive's pictures and the HMI's
/// live view.
public enum JPEGEncoder {
    public static func encode(_ image: Image, quality: Int = 85) throws(ImageCodecError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                lineside_jpeg_encode(pixels.baseAddress, Int32(clamping: image.width), Int32(clamping: image.height),
                                     Int32(image.layout.channels), Int32(clamping: quality), &out, &size, text.baseAddress, text.count)
            }
        }
        defer { free(out) }
        guard status == 0, let out, size > 0 else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw .writeFailed(path: "<memory>", reason: "libjpeg: \(reason)")
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
