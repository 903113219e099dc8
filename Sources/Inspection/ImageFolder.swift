import Platform

/// The image files of a folder: PNG and JPEG by extension (case-insensitive), sorted by name.
/// Other files (notes, masks elsewhere) are ignored; a folder without images is an error.
public enum ImageFolder {
    public static let extensions = ["png", "jpg", "jpeg"]

    public static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), !name.hasPrefix(".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    public static func list(_ path: String) throws(InspectionError) -> [String] {
        guard Directory.isDirectory(path) else {
            throw .dataset(path: path, reason: Directory.exists(path) ? "not a directory" : "no such directory")
        }
        let names: [String]
        do { names = try Directory.entries(path) } catch { throw .file(error) }
        let images = names.filter(isImageName).map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        guard !images.isEmpty else { throw .dataset(path: path, reason: "no PNG or JPEG images in this folder") }
        return images
    }
}
