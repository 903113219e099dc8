import Imaging

/// `lineside snapshot`: one frame from the configured camera (or replay), with the region of
/// interest drawn on it and, beside it, the region as the model sees it (the 224x224 crop the
/// preprocessor makes), so a person can aim, focus and set the exposure.
public enum CameraSnapshot {
    /// Frames skipped before the one kept (auto exposure settles on the first frames).
    public static let defaultSkip = 5
    static let gap = 8

    /// Starts `source`, takes frame `skip + 1`, stops it. Errors name the device.
    public static func take(_ source: any FrameSource, region: PixelRect?, skip: Int = defaultSkip,
                            timeout: Duration = .seconds(2)) throws -> Image {
        try source.start()
        defer { source.stop() }
        for _ in 0..<skip { _ = try source.nextImage(timeout: timeout, layout: .rgb) }
        let frame = try source.nextImage(timeout: timeout, layout: .rgb).image
        if let region, !region.fits(width: frame.width, height: frame.height) {
            throw CaptureError.roiOutsideFrame(roi: region, width: frame.width, height: frame.height)
        }
        return compose(frame, region: region)
    }

    /// The frame with the region outlined (green, 2 pixels, inside the region), then the model's view.
    public static func compose(_ frame: Image, region: PixelRect?) -> Image {
        precondition(frame.layout == .rgb, "snapshot frames are RGB")
        var preprocessor = Preprocessor()
        let view = preprocessor.croppedRGB(frame, region: region)
        let width = frame.width + gap + view.width, height = max(frame.height, view.height)
        var canvas = Image(width: width, height: height, layout: .rgb)
        for i in 0..<canvas.pixels.count { canvas.pixels[i] = 40 }
        paste(frame, into: &canvas, x: 0)
        paste(view, into: &canvas, x: frame.width + gap)
        canvas.drawOutline(region ?? PixelRect(x: 0, y: 0, width: frame.width, height: frame.height), thickness: 2, rgb: (0, 255, 0))
        return canvas
    }

    private static func paste(_ image: Image, into canvas: inout Image, x: Int) {
        for row in 0..<image.height {
            let from = row * image.width * 3, to = (row * canvas.width + x) * 3
            canvas.pixels.replaceSubrange(to..<(to + image.width * 3), with: image.pixels[from..<(from + image.width * 3)])
        }
    }
}
