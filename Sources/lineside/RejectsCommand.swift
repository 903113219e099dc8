import Configuration
import Platform
import RejectArchive
import Service

enum RejectsCommand {
    static let help = """
    usage: lineside rejects [--last N] [--json] [--config FILE | --folder DIR]

    Lists the reject archive, newest last: every rejected part (and every Nth passed one, [archive]
    every_nth_pass) with its capture time, verdict, reason, score, threshold and model. Each record
    file (<id>.rec in the folder) holds the region and heatmap pictures (the HMI shows them).
    Read-only: safe while the service runs. Default: the [archive] folder of /etc/lineside/lineside.conf.

      --last N     only the newest N records (default 20; 0: all)
      --json       one JSON object: {"folder", "records": [...], "problems": [...]}
      --folder DIR an archive folder directly
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["last", "config", "folder"], switches: ["help", "json"])
        if args.has("help") { print(help); return 0 }
        let last = try args.int("last", default: 20, range: 0...10_000_000)
        let folder: String
        if let given = args.string("folder") {
            folder = given
        } else {
            let config = try LinesideConfiguration.load(path: args.string("config") ?? ConfigSchema.defaultPath)
            guard let archive = config.service.archive else {
                Console.error("the configuration turns the archive off ([archive] enabled = false)")
                return 1
            }
            folder = archive.folder
        }
        guard Directory.isDirectory(folder) else {
            Console.error("\(folder): no reject archive there (the service creates it at its first archived part)")
            return 1
        }
        let store = try RejectArchiveStore(folder: folder, maxRecords: Int.max, maxBytes: Int.max, readOnly: true)
        let shown = last == 0 ? store.records[...] : store.records.suffix(last)
        if args.has("json") {
            print(JSON.object(["folder": .string(folder), "records": .array(shown.map(\.json)),
                               "problems": .array(store.problems.map { .string($0) })]).serialized)
            return 0
        }
        print("\(folder): \(store.records.count) records, \(store.recordBytes) bytes; showing the newest \(shown.count)")
        for record in shown { print(record.line) }
        for problem in store.problems { Console.error("problem: \(problem)") }
        return 0
    }
}
