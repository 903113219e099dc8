import CaptureV4L2
import LineIOGPIOD

enum ProbeCommand {
    static let help = """
    usage: lineside probe

    Lists the video devices (capabilities, formats, frame sizes and intervals, controls with their
    ranges) and the GPIO chips with their lines (name, consumer, direction): what to put in the
    configuration file.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: [], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        print(V4L2Cameras.probeText())
        print("")
        print(GPIOProbe.report())
        return 0
    }
}
