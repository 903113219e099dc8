import Capture
import CaptureV4L2
import Configuration
import ImageCodec
import Imaging
import Platform

enum SnapshotCommand {
    static let help = """
    usage: lineside snapshot [--config FILE] --out FILE.png [--skip N]

    One frame from the configured camera (or [replay] folder) as a PNG: the whole frame with the
    region of interest ([camera] roi) outlined in green, and beside it the region as the model sees
    it (224x224), so a person can aim, focus and set the exposure. Stop the service first (the
    camera is one process's). Exit 1 naming the device when the camera is absent or busy.

      --skip N   frames skipped before the one kept (default 5: auto exposure settles)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["config", "out", "skip"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        guard let out = args.string("out") else { throw UsageError("--out FILE.png is required") }
        let skip = try args.int("skip", default: CameraSnapshot.defaultSkip, range: 0...1000)
        try FileIO.checkWritable(out)  // before the camera is touched
        let config = try LinesideConfiguration.load(path: args.string("config") ?? ConfigSchema.defaultPath)
        let picture: Image
        switch config.source {
        case .camera(let camera):
            let source = V4L2Camera(configuration: camera.configuration, device: LibV4L2Device())
            picture = try CameraSnapshot.take(source, region: camera.configuration.regionOfInterest, skip: skip,
                                              timeout: camera.frameTimeout)
        case .replay(let replay):
            let source = ReplaySource(folder: replay.folder, loops: false, loader: { try ImageDecoder.read($0) })
            picture = try CameraSnapshot.take(source, region: nil, skip: 0)
        }
        try PNGEncoder.write(picture, to: out)
        print("\(out): \(picture.width)x\(picture.height) (frame with the region outlined, then the model's 224x224 view)")
        return 0
    }
}
