import Imaging

/// One captured frame, lent to the caller for the duration of a `FrameSource.withNextFrame` body.
///
/// `bytes` points into a driver buffer mapped with mmap (or into a replayed image): it is valid only
/// inside the body, after which the buffer goes back to the driver (VIDIOC_QBUF). Copy what must
/// outlive the body with `image(roi:layout:)`, which converts the region of interest only.
public struct Frame {
    public let pixelFormat: PixelFormat
    public let width: Int
    public let height: Int
    /// Bytes from one row to the next in `bytes`, padding included.
    public let bytesPerRow: Int
    /// The driver's frame counter (`v4l2_buffer.sequence`); gaps mean dropped frames.
    public let sequence: UInt32
    /// When the frame was captured, CLOCK_MONOTONIC nanoseconds.
    public let timestampNanoseconds: UInt64
    /// YUYV only: true when the driver says Y, U, V use the full 0...255 range.
    public let fullRangeYUV: Bool
    /// The borrowed pixel bytes (at least `bytesPerRow * height` for uncompressed formats).
    public let bytes: UnsafeRawBufferPointer

    public init(pixelFormat: PixelFormat, width: Int, height: Int, bytesPerRow: Int, sequence: UInt32,
                timestampNanoseconds: UInt64, fullRangeYUV: Bool = false, bytes: UnsafeRawBufferPointer) {
        self.pixelFormat = pixelFormat
        self.width = width
        self.height = height
        self.bytesPerRow = bytesPerRow
        self.sequence = sequence
        self.timestampNanoseconds = timestampNanoseconds
        self.fullRangeYUV = fullRangeYUV
        self.bytes = bytes
    }

    /// The layout `image(roi:)` produces when none is asked for: grey for GREY, RGB otherwise.
    public var naturalLayout: Image.Layout { pixelFormat == .grey ? .grey : .rgb }

    /// The whole frame as a rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// A new `Image` holding the region of interest, converted once (YUYV to RGB or grey, GREY to
    /// grey or RGB, RGB24 to RGB or grey). Only the ROI is read; the frame itself is not copied.
    public func image(roi: PixelRect? = nil, layout: Image.Layout? = nil) throws(CaptureError) -> Image {
        let region = roi ?? bounds
        let layout = layout ?? naturalLayout
        try checkConvertible(region, to: layout)
        let count = region.width * region.height * layout.channels
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { destination, initialized in
            PixelConversion.convert(self, region: region, layout: layout, into: destination.baseAddress!)
            initialized = count
        }
        return Image(width: region.width, height: region.height, layout: layout, pixels: pixels)
    }

    /// Converts the region of interest into an existing image of the ROI's size, reusing its storage
    /// (no allocation per frame once the image exists).
    public func copy(roi: PixelRect? = nil, into image: inout Image) throws(CaptureError) {
        let region = roi ?? bounds
        guard image.width == region.width, image.height == region.height else {
            throw .imageSizeMismatch(roi: region, imageWidth: image.width, imageHeight: image.height)
        }
        try checkConvertible(region, to: image.layout)
        let layout = image.layout
        image.pixels.withUnsafeMutableBufferPointer { destination in
            PixelConversion.convert(self, region: region, layout: layout, into: destination.baseAddress!)
        }
    }

    func checkConvertible(_ region: PixelRect, to layout: Image.Layout) throws(CaptureError) {
        guard let bytesPerPixel = pixelFormat.bytesPerPixel else {
            throw .unsupportedConversion(from: pixelFormat, to: layout)
        }
        guard region.fits(width: width, height: height) else {
            throw .roiOutsideFrame(roi: region, width: width, height: height)
        }
        let needed = (height - 1) * bytesPerRow + width * bytesPerPixel
        guard bytesPerRow >= width * bytesPerPixel, bytes.count >= needed, bytes.baseAddress != nil else {
            throw .truncatedFrame(sequence: sequence, bytes: bytes.count, expected: needed)
        }
    }
}
