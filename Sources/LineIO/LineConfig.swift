/// Internal pull resistor the kernel should enable on an input line.
public enum LineBias: Sendable, Hashable {
    /// Leave whatever the firmware or device tree configured.
    case asIs
    case disabled
    case pullUp
    case pullDown
}

/// How an output line is requested. All values in lineside are LOGICAL: `true` means "active"
/// (ejector firing, light on); the kernel maps it to the pin level through `activeLow`.
public struct OutputLineConfig: Sendable, Hashable {
    public var address: LineAddress
    /// Consumer name the kernel shows in `gpioinfo` and in `lineside probe`.
    public var consumer: String
    /// The pin is driven low when the line is active (e.g. relay boards with active-low inputs).
    public var activeLow: Bool
    /// Logical value the line is driven to at start, on signals, on any fault and at exit.
    /// For an ejector or a light this is `false` (inactive).
    public var safeValue: Bool

    public init(address: LineAddress, consumer: String, activeLow: Bool = false, safeValue: Bool = false) {
        self.address = address
        self.consumer = consumer
        self.activeLow = activeLow
        self.safeValue = safeValue
    }
}

/// How an input line is requested.
public struct InputLineConfig: Sendable, Hashable {
    public var address: LineAddress
    public var consumer: String
    /// The line reads active when the pin is low (a button to ground with a pull-up).
    public var activeLow: Bool
    public var bias: LineBias
    /// Ask the kernel to queue both edges with timestamps (needed for the button and the trigger).
    public var edgeEvents: Bool

    public init(address: LineAddress, consumer: String, activeLow: Bool = false, bias: LineBias = .asIs,
                edgeEvents: Bool = true) {
        self.address = address
        self.consumer = consumer
        self.activeLow = activeLow
        self.bias = bias
        self.edgeEvents = edgeEvents
    }
}
