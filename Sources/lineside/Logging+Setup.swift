import Logging

/// swift-log to stderr (journald on the board adds its own timestamps and unit name).
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: Logger.Level = .info) -> Logger {
        if !done {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            done = true
        }
        var logger = Logger(label: "lineside")
        logger.logLevel = level
        return logger
    }
}
