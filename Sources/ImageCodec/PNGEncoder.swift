import CPNG
import Imaging
import Platform

/// Writes `Image`s as PNG (libpng's simplified API), atomically.
public enum PNGEncoder {
    public static func encode(_ image: Image) throws(ImageCodecError) -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.layout == .rgb ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0  // PNG_FORMAT_RGB or PNG_FORMAT_GRAY
        let stride = Int32(image.width * image.layout.channels)
        var size = 0
        // First call measures, second writes.
        let measured = image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard measured != 0, size > 0 else { throw .writeFailed(path: "<memory>", reason: "libpng could not size the PNG") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { buffer in
            image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, buffer.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        png_image_free(&png)
        guard written != 0 else { throw .writeFailed(path: "<memory>", reason: "libpng failed to encode") }
        return Array(out.prefix(size))
    }

    public static func write(_ image: Image, to path: String) throws(ImageCodecError) {
        let bytes = try encode(image)
        do { try FileIO.writeAtomically(bytes, to: path) } catch {
            throw .writeFailed(path: path, reason: "\(error.operation) failed: \(error.errno)")
        }
    }
}
