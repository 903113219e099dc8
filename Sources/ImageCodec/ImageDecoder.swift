import CJPEG
import CPNG
import Imaging
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Reads PNG (libpng's simplified API) and JPEG (libjpeg-turbo) files into `Image`s.
/// Grey stays grey; grey+alpha, RGBA, palette and 16-bit images become 8-bit grey or RGB.
public enum ImageDecoder {
    /// Larger images are refused before any pixel memory is allocated (64 MP: a 9000x7000 photo).
    public static let maximumPixels = 64_000_000

    public static func read(_ path: String) throws(ImageCodecError) -> Image {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 512 << 20) } catch {
            throw .unreadable(path: path, reason: "\(error.operation) failed: \(error.errno)")
        }
        return try decode(bytes, path: path)
    }

    public static func decode(_ bytes: [UInt8], path: String) throws(ImageCodecError) -> Image {
        if bytes.isEmpty { throw .empty(path: path) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try decodePNG(bytes, path: path) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeJPEG(bytes, path: path) }
        throw .unknownFormat(path: path)
    }

    /// The IEND chunk every complete PNG ends with (length 0, type, CRC).
    static let pngEnd: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    private static func decodePNG(_ bytes: [UInt8], path: String) throws(ImageCodecError) -> Image {
        // libpng stops reading once it has the pixels, so a file cut after its last pixel row
        // would pass: a PNG must end with its IEND chunk.
        guard bytes.count > pngEnd.count, bytes.suffix(pngEnd.count).elementsEqual(pngEnd) else {
            throw .corrupt(path: path, reason: "truncated PNG (no IEND chunk at the end)")
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard began != 0 else { throw .corrupt(path: path, reason: pngMessage(&png)) }
        defer { png_image_free(&png) }
        let width = Int(png.width), height = Int(png.height)
        guard width * height <= maximumPixels else { throw .tooLarge(path: path, width: width, height: height) }
        // Colour images decode as RGB, everything else as grey; alpha is dropped (composited on black).
        let isColour = (png.format & UInt32(PNG_FORMAT_FLAG_COLOR)) != 0
        png.format = isColour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0  // PNG_FORMAT_RGB or PNG_FORMAT_GRAY (function-like macros)
        let layout: Image.Layout = isColour ? .rgb : .grey
        var pixels = [UInt8](repeating: 0, count: width * height * layout.channels)
        let finished = pixels.withUnsafeMutableBytes { buffer in
            var black = png_color(red: 0, green: 0, blue: 0)
            return png_image_finish_read(&png, &black, buffer.baseAddress, Int32(width * layout.channels), nil)
        }
        guard finished != 0 else { throw .corrupt(path: path, reason: pngMessage(&png)) }
        // libpng's warnings (a bad CRC in an ancillary chunk, extra data, a truncated stream it
        // could pad) mean the pixels are not what the file's writer meant: refused too.
        guard png.warning_or_error == 0 else { throw .corrupt(path: path, reason: "libpng warning: " + pngMessage(&png)) }
        return Image(width: width, height: height, layout: layout, pixels: pixels)
    }

    private static func pngMessage(_ png: inout png_image) -> String {
        withUnsafeBytes(of: &png.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func decodeJPEG(_ bytes: [UInt8], path: String) throws(ImageCodecError) -> Image {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { text in
                lineside_jpeg_decode(data.baseAddress, data.count, maximumPixels, &pixels, &width, &height, &channels,
                                     text.baseAddress, text.count)
            }
        }
        guard status == 0, let pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if reason.contains("more than the") { throw .tooLarge(path: path, width: Int(width), height: Int(height)) }
            throw .corrupt(path: path, reason: reason)
        }
        defer { free(pixels) }
        let layout: Image.Layout = channels == 1 ? .grey : .rgb
        let count = Int(width) * Int(height) * layout.channels
        return Image(width: Int(width), height: Int(height), layout: layout,
                     pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}
