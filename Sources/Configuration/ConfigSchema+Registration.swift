extension ConfigSchema {
    static let registrationSection = ConfigSectionSpec(name: "registration", repeated: false,
        doc: "Position correction before PaDiM, for models fitted with it: each part is registered to the calibration reference (shift and rotation) and corrected; a part beyond the tolerance is \"not located\".")

    static let registrationKeys: [ConfigKeySpec] = [
        ConfigKeySpec("registration", "enabled", .boolean, default: .boolean(true),
                      doc: "Correct parts for a model fitted with registration (lineside fit without --no-register); false: measure and report the position only."),
        ConfigKeySpec("registration", "max_shift_percent", .float(0.5...40), default: .float(10),
                      doc: "Largest offset of the part's centre accepted, percent of the region's size."),
        ConfigKeySpec("registration", "max_angle_deg", .float(0.5...45), default: .float(12),
                      doc: "Largest rotation accepted, degrees either way."),
        ConfigKeySpec("registration", "min_quality", .float(0...0.99), default: .float(0.5),
                      doc: "Least correlation of the corrected part with the calibration reference (0...1); below it the part is not located."),
        ConfigKeySpec("registration", "not_located_policy", .choice(["reject", "inspect"]), default: .string("reject"),
                      doc: "A part beyond the tolerance: \"reject\" it, or \"inspect\" it uncorrected and judge it by its score."),
    ]
}

extension ConfigurationBuilder {
    func registrationSettings() -> RegistrationSettings {
        let registration = section("registration")
        return RegistrationSettings(enabled: registration.bool("enabled"), maxShiftPercent: registration.double("max_shift_percent"),
                                    maxAngleDegrees: registration.double("max_angle_deg"), minQuality: registration.double("min_quality"),
                                    notLocatedPolicy: RegistrationSettings.NotLocatedPolicy(rawValue: registration.string("not_located_policy")) ?? .reject)
    }
}
