/// An 8-bit image in memory: grey (1 channel) or RGB (3 channels, interleaved), rows packed.
///
/// The one image type that crosses module boundaries: decoders, frame sources and the
/// preprocessing that turns it into the backbone's input all speak it.
public struct Image: Sendable, Equatable {
    public enum Layout: Int, Sendable {
        case grey = 1
        case rgb = 3
        public var channels: Int { rawValue }
    }

    public let width: Int
    public let height: Int
    public let layout: Layout
    /// `height * width * layout.channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, layout: Layout, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "image must not be empty")
        precondition(pixels.count == width * height * layout.channels, "pixel count does not match geometry")
        self.width = width
        self.height = height
        self.layout = layout
        self.pixels = pixels
    }

    /// A black image of the given geometry.
    public init(width: Int, height: Int, layout: Layout) {
        self.init(width: width, height: height, layout: layout,
                  pixels: [UInt8](repeating: 0, count: width * height * layout.channels))
    }
}

/// A rectangle in pixel coordinates (origin top-left).
public struct PixelRect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// True when the rectangle is non-empty and lies inside a `width` x `height` frame.
    public func fits(width frameWidth: Int, height frameHeight: Int) -> Bool {
        width > 0 && height > 0 && x >= 0 && y >= 0 && x + width <= frameWidth && y + height <= frameHeight
    }
}
