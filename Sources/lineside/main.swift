import Platform
#if canImport(Glibc)
import Glibc
#endif

/// lineside: one binary, one command per job. Exit codes: 0 success, 1 failure, 2 usage error.
let commands: [(name: String, summary: String, run: ([String]) throws -> Int32)] = [
    ("run", "the line-side service (camera, inspection, reject line, lights, calibration button)", RunCommand.run),
    ("fit", "fit a PaDiM model from a folder of good images", FitCommand.run),
    ("score", "score images with a model (optionally write heatmaps)", ScoreCommand.run),
    ("eval", "image and pixel AUROC on an MVTec-AD-layout category", EvalCommand.run),
    ("bench", "per-stage timings (median, p99) on this machine", BenchCommand.run),
    ("status", "show the running service's state and counters", StatusCommand.run),
    ("rejects", "list the reject archive (rejected parts with reason, score and pictures)", RejectsCommand.run),
    ("rollback", "make the previous model the current one again", RollbackCommand.run),
    ("snapshot", "one camera frame with the region drawn and the model's view, as PNG (aiming, focus)", SnapshotCommand.run),
    ("probe", "list cameras and GPIO chips with their capabilities", ProbeCommand.run),
    ("soak", "sustained run of the service on replayed images: frames/s and memory", SoakCommand.run),
    ("demo", "the whole service on generated parts and simulated lines (no camera, no GPIO)", DemoCommand.run),
    ("generate", "write generated part images (good and defective) for demos and tests", GenerateCommand.run),
    ("features", "write the backbone taps of images as safetensors (for tools/compare.py)", FeaturesCommand.run),
    ("safe-outputs", "drive every configured output to its safe value (systemd ExecStopPost)", SafeOutputsCommand.run),
    ("check-config", "check a configuration file without touching hardware", CheckConfigCommand.run),
]

@MainActor func usage() -> String {
    var text = "usage: lineside <command> [options]\n\ncommands:\n"
    for command in commands { text += "  " + command.name.padding(14) + command.summary + "\n" }
    text += "\n'lineside <command> --help' describes a command's options."
    return text
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}

let argv = Array(CommandLine.arguments.dropFirst())
guard let name = argv.first, name != "--help", name != "-h", name != "help" else {
    print(usage())
    exit(argv.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    Console.error("unknown command '\(name)' (see 'lineside --help')")
    exit(2)
}
// Large buffers (the model, the fit's sums, images) go back to the system when freed, so a
// calibration in a running service leaves resident memory where it was.
ProcessMemory.returnLargeAllocationsWhenFreed()
do {
    exit(try command.run(Array(argv.dropFirst())))
} catch let error as UsageError {
    Console.error("\(name): \(error)")
    exit(2)
} catch {
    Console.error("\(error)")
    exit(1)
}
