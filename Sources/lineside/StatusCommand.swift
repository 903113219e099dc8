import Configuration
import Platform
import Service

enum StatusCommand {
    static let help = """
    usage: lineside status [--status PATH] [--json]

    Shows what the running service reports (state, counters, latency, model), from the status
    file it rewrites every second (default /run/lineside/status).
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["status"], switches: ["help", "json"])
        if args.has("help") { print(help); return 0 }
        let path = args.string("status") ?? ServiceSettings.defaults.statusFile
        guard Directory.exists(path) else {
            Console.error("\(path): no status file: is the service running? (systemctl status lineside)")
            return 1
        }
        let report = try StatusReport.read(path)
        print(args.has("json") ? report.json.serialized : report.text)
        return 0
    }
}
