/// Drives outputs to their safe values: at start (lines are requested at their safe value), on
/// SIGTERM/SIGINT, on any fault and before release. After a fault the status light alone leaves its
/// safe value again, to show the fault pattern; every actuator stays safe.
public enum SafeState {
    /// Sets every line to its safe value, carrying on past failures so one broken line does not keep
    /// the others live. Returns the failures (empty when every line is safe).
    public static func apply(_ outputs: [(line: OutputLineID, safeValue: Bool)],
                             on driver: any LineDriver) -> [LineIOError] {
        var failures: [LineIOError] = []
        for output in outputs {
            do {
                try driver.set(output.line, active: output.safeValue)
            } catch {
                failures.append(error)
            }
        }
        return failures
    }
}
