import Configuration

enum CheckConfigCommand {
    static let help = """
    usage: lineside check-config [--config PATH] [--print-defaults | --print-reference]

    Checks a configuration file without touching the camera or the GPIO lines. Valid: prints what it
    configures, exit 0. Invalid: one line 'file:line: what is wrong', exit 1.

      --config PATH       the file to check (default \(ConfigSchema.defaultPath))
      --print-defaults    print a complete commented configuration with every default (TOML)
      --print-reference   print every key as Markdown tables (board/README.md)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["config"], switches: ["help", "print-defaults", "print-reference"])
        if args.has("help") { print(help); return 0 }
        if let extra = args.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        if args.has("print-defaults") && args.has("print-reference") {
            throw UsageError("--print-defaults and --print-reference exclude each other")
        }
        if args.has("print-defaults") { print(ConfigDocumentation.defaultsFile(), terminator: ""); return 0 }
        if args.has("print-reference") { print(ConfigDocumentation.reference(), terminator: ""); return 0 }
        let path = args.string("config") ?? ConfigSchema.defaultPath
        let configuration = try LinesideConfiguration.load(path: path)
        print("\(path): valid")
        for line in configuration.summary() { print("  " + line) }
        return 0
    }
}
