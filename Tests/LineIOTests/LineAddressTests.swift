import LineIO
import Testing

@Suite struct LineAddressTests {
    @Test func everySelectorFormParsesBackFromItsDescription() {
        let addresses = [LineAddress(chip: .name("gpiochip0"), offset: 17),
                         LineAddress(chip: .label("pinctrl-rp1"), offset: 4),
                         LineAddress(chip: .path("/dev/gpiochip4"), offset: 0)]
        for address in addresses {
            #expect(LineAddress(parsing: address.description) == address)
        }
        #expect(LineAddress(parsing: "label=pinctrl-bcm2711:27")?.chip == .label("pinctrl-bcm2711"))
    }

    @Test func malformedAddressesAreRefused() {
        for text in ["gpiochip0", "gpiochip0:", ":17", "gpiochip0:-1", "label=:3", "gpiochip0:x"] {
            #expect(LineAddress(parsing: text) == nil, "\(text) parsed")
        }
    }
}
