/// Renders probe results as the text `lineside probe` prints.
public enum DeviceDescriptionText {
    public static func render(_ device: DeviceDescription) -> String {
        var lines: [String] = []
        lines.append("\(device.path): \(device.card) (driver \(device.driver), \(device.busInfo))")
        for name in device.stableNames { lines.append("  by-id: \(name)") }
        lines.append("  capabilities: \(device.capabilityNames.joined(separator: ", "))")
        for format in device.formats {
            var notes: [String] = []
            if format.emulated { notes.append("converted by libv4l2") }
            if format.compressed { notes.append("compressed") }
            let suffix = notes.isEmpty ? "" : " [\(notes.joined(separator: ", "))]"
            lines.append("  format \(format.pixelFormat) \(format.description)\(suffix)")
            for size in format.sizes {
                switch size {
                case let .discrete(width, height, intervals):
                    let rates = intervals.map(\.description).joined(separator: ", ")
                    lines.append("    \(width)x\(height)" + (rates.isEmpty ? "" : ": \(rates)"))
                case let .stepwise(minW, maxW, stepW, minH, maxH, stepH):
                    lines.append("    \(minW)-\(maxW) step \(stepW) x \(minH)-\(maxH) step \(stepH)")
                }
            }
        }
        if !device.controls.isEmpty { lines.append("  controls:") }
        for control in device.controls {
            var line = "    \(control.name) (0x\(String(control.id, radix: 16)), \(control.type)): "
                + "\(control.minimum)...\(control.maximum) step \(control.step) default \(control.defaultValue)"
            if let value = control.currentValue { line += " current \(value)" }
            lines.append(line)
            for entry in control.menuEntries { lines.append("      \(entry.index): \(entry.name)") }
        }
        return lines.joined(separator: "\n")
    }

    public static func render(_ devices: [DeviceDescription]) -> String {
        devices.isEmpty ? "no video devices found" : devices.map { render($0) }.joined(separator: "\n\n")
    }
}
