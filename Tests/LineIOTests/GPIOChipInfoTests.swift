import LineIO
import Testing

@Suite struct GPIOChipInfoTests {
    @Test func renderShowsEachLinesNameConsumerAndDirection() {
        let chip = GPIOChipInfo(name: "gpiochip0", label: "pinctrl-bcm2711", lines: [
            GPIOLineInfo(offset: 4, name: "GPIO4", consumer: "", direction: .input, activeLow: false, used: false),
            GPIOLineInfo(offset: 17, name: "GPIO17", consumer: "lineside-reject-0", direction: .output,
                         activeLow: true, used: true),
            GPIOLineInfo(offset: 42, name: "", consumer: "", direction: .output, activeLow: false, used: true),
        ])
        let lines = GPIOChipInfo.render([chip]).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)
        #expect(lines[0] == "gpiochip0 [pinctrl-bcm2711] (3 lines)")
        #expect(lines[1] == "  line   4: \"GPIO4\"           unused                input")
        #expect(lines[2] == "  line  17: \"GPIO17\"          \"lineside-reject-0\"   output active-low")
        #expect(lines[3] == "  line  42: unnamed           kernel                output")
        #expect(lines[4] == "")
    }
}
