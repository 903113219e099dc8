import LineIO

/// For systemd's `ExecStopPost=` (`lineside safe-outputs --config ...`): after the service stopped
/// or was killed, requests every configured output at its safe value and releases it again.
///
/// Requesting a line as an output with an initial value drives it at once; after release the pin
/// keeps that level on Raspberry Pi kernels (persist_gpio_outputs) or falls to its pull resistor
/// (strict_gpiod), and both are the safe level when wired as board/gpio.md says.
public enum ForceSafeOutputs {
    /// One entry per output: nil when it was driven safe, else the error. Carries on past failures.
    public static func run(_ outputs: [OutputLineConfig], driver: any LineDriver = GPIODLineDriver(defaultConsumer: "lineside-safe-outputs"))
        -> [(output: OutputLineConfig, error: LineIOError?)] {
        var results: [(output: OutputLineConfig, error: LineIOError?)] = []
        for output in outputs {
            do {
                _ = try driver.requestOutput(output, initialValue: output.safeValue)
                results.append((output, nil))
            } catch {
                results.append((output, error))
            }
        }
        driver.releaseAll()
        return results
    }

    /// One line per output ("ok" or the error) for the command's output.
    public static func render(_ results: [(output: OutputLineConfig, error: LineIOError?)]) -> String {
        results.map { result in
            let value = result.output.safeValue ? "active" : "inactive"
            if let error = result.error { return "\(result.output.consumer) \(result.output.address): FAILED: \(error)\n" }
            return "\(result.output.consumer) \(result.output.address): driven \(value) (safe)\n"
        }.joined()
    }
}
