import SafeTensors
import SystemPackage

/// The names of the entries in a folder, without "." and "..", sorted: SafeTensors' `Directory`,
/// with the errno Capture's errors carry.
func listDirectory(_ path: String) throws(Errno) -> [String] {
    do { return try Directory.entries(path) } catch { throw error.errno }
}
