// archive-probe: drives the reject archive (RejectArchive, its writer thread, its store) for the
// bounds and kill -9 tests in Tests/cli.
//   archive-probe write FOLDER COUNT MAX_MB   writes COUNT rejected parts with pictures (generated
//                                             parts, a heatmap-like map); prints the figures
//   archive-probe verify FOLDER               opens the archive read-only and reads every record
import Configuration
import DemoScene
import Glibc
import Imaging
import LineIO
import Logging
import Platform
import RejectArchive
import Service

let args = Array(CommandLine.arguments.dropFirst())

func fail(_ text: String) -> Never {
    print("archive-probe: \(text)")
    exit(1)
}

func folderBytes(_ folder: String) -> Int {
    ((try? Directory.entries(folder)) ?? []).reduce(0) { total, name in
        var info = stat()
        return lstat(folder + "/" + name, &info) == 0 ? total + Int(info.st_size) : total
    }
}

switch args.first {
case "write":
    guard args.count == 4, let count = Int(args[2]), let maxMB = Int(args[3]) else { fail("usage: write FOLDER COUNT MAX_MB") }
    let folder = args[1]
    let archive: RejectArchive
    do {
        archive = try RejectArchive(settings: ArchiveSettings(folder: folder, maxRecords: 1_000_000, maxBytes: maxMB * 1_000_000,
                                                              everyNthPass: 0), logger: Logger(label: "archive-probe"))
    } catch { fail("\(error)") }
    // 12 generated parts (a quarter good), and maps with a hot spot, cycled.
    let renderer = PartRenderer()
    let side = Preprocessor.cropTo
    let images: [PartImage] = (0..<12).map { i in
        let region = renderer.render(index: 9000 + i, defect: i % 4 == 0 ? nil : PartRenderer.Defect.allCases[i % 3])
        let cx = Float(40 + 12 * i), cy = Float(180 - 10 * i)
        let map = (0..<(side * side)).map { p -> Float in
            let dx = Float(p % side) - cx, dy = Float(p / side) - cy
            return 3 * expf(-(dx * dx + dy * dy) / 800) + 0.3 * Float((p * 7919) % 100) / 100
        }
        return PartImage(region: region, map: map, mapSize: side)
    }
    var handed = 0
    let start = SystemClock.shared.nowNs
    while handed < count {
        let record = PartRecord(part: UInt64(handed), sequence: UInt32(truncatingIfNeeded: handed), captureNs: SystemClock.shared.nowNs,
                                score: 2.5, threshold: 1, verdict: .reject, reason: "score", modelID: "0123456789abcdef", latencyNs: 1_000_000)
        let before = archive.figures.dropped
        archive.part(record, image: images[handed % images.count])
        if archive.figures.dropped > before {
            SystemClock.shared.sleep(for: .milliseconds(5))  // the queue is full: wait for the writer, then hand it again
            continue
        }
        handed += 1
        if handed % 1000 == 0 {
            let f = archive.figures
            print("handed \(handed), written \(f.written), kept \(f.records), \(f.bytes) bytes counted, \(folderBytes(folder)) on disk")
        }
    }
    _ = archive.wait(for: .seconds(600)) { $0.written + $0.failures >= UInt64(count) }
    archive.stop()
    let f = archive.figures
    let seconds = Double(SystemClock.shared.nowNs - start) / 1e9
    print("wrote \(f.written) records in \(Int(seconds)) s (\(f.failures) failures), kept \(f.records), evicted \(f.evicted), \(f.bytes) bytes counted, \(folderBytes(folder)) bytes on disk, budget \(maxMB * 1_000_000)")
case "verify":
    guard args.count == 2 else { fail("usage: verify FOLDER") }
    let folder = args[1]
    let store: RejectArchiveStore
    do { store = try RejectArchiveStore(folder: folder, maxRecords: Int.max, maxBytes: Int.max, readOnly: true) } catch { fail("\(error)") }
    var unreadable = 0
    for record in store.records {
        do { _ = try RejectArchiveStore.readRecord(folder: folder, id: record.id) } catch { unreadable += 1; print("unreadable: \(error)") }
    }
    let temporaries = ((try? Directory.entries(folder)) ?? []).filter { $0.hasPrefix(".") && $0.contains(".tmp-") }.count
    print("records \(store.records.count), unreadable \(unreadable), problems \(store.problems.count), \(store.recovered) not yet in the index (read from their headers), \(temporaries) temporaries of killed writes, \(folderBytes(folder)) bytes on disk")
    for problem in store.problems.prefix(5) { print("problem: \(problem)") }
    exit(unreadable == 0 ? 0 : 1)
default:
    fail("usage: archive-probe write FOLDER COUNT MAX_MB | verify FOLDER")
}
