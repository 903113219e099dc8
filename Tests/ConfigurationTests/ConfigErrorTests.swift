import Testing
@testable import Configuration

/// Each kind of bad configuration, with the exact one-line message the operator sees.
@Suite struct ConfigErrorTests {
    let path = "/etc/lineside/lineside.conf"

    /// `minimalConfiguration` with `extra` appended (after a blank line: minimal has 5 lines, so
    /// `extra` starts on line 7).
    func messageFor(appending extra: String) -> String? {
        configError(minimalConfiguration + "\n\n" + extra, path: path)?.description
    }

    @Test func syntaxErrorNamesFileAndLine() {
        #expect(messageFor(appending: "[model]\nthreads: 4") ==
                "\(path):8: syntax error: expected \"=\" after \"threads\", got \": 4\"")
    }

    @Test func unterminatedString() {
        #expect(messageFor(appending: "[model]\npath = \"/var/lib/lineside/model") ==
                "\(path):8: unterminated string (no closing quote on this line)")
    }

    @Test func unknownSectionSuggestsTheClosest() {
        #expect(messageFor(appending: "[calibraton]\nframes = 50") ==
                "\(path):7: unknown section [calibraton] (did you mean [calibration]?)")
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\n[reject]\noffset = 4", path: path)?.description ==
                "\(path):3: unknown section [reject] (did you mean [[reject]]?)")
        #expect(messageFor(appending: "[printer]") == "\(path):7: unknown section [printer]")
    }

    @Test func unknownKeySuggestsTheClosest() {
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\nexposre = 100", path: path)?.description ==
                "\(path):3: unknown key \"exposre\" in [camera] (did you mean \"exposure\"?)")
        #expect(messageFor(appending: "[model]\ncolour = 3") == "\(path):8: unknown key \"colour\" in [model]")
    }

    @Test func wrongType() {
        #expect(messageFor(appending: "[model]\nthreads = \"four\"") ==
                "\(path):8: wrong type for \"threads\" in [model]: expected an integer, got a string")
        #expect(messageFor(appending: "[replay]\nloop = 1") ==
                "\(path):8: wrong type for \"loop\" in [replay]: expected a boolean (true or false), got an integer")
        #expect(messageFor(appending: "[calibration]\nmargin = \"1.1\"") ==
                "\(path):8: wrong type for \"margin\" in [calibration]: expected a number, got a string")
    }

    @Test func outOfRange() {
        #expect(messageFor(appending: "[model]\nthreads = 16") ==
                "\(path):8: threads = 16 in [model] is out of range (allowed: 1...8)")
        #expect(messageFor(appending: "[calibration]\nholdout = 0.6") ==
                "\(path):8: holdout = 0.6 in [calibration] is out of range (allowed: number, 0.0...0.5)")
    }

    @Test func duplicateKey() {
        #expect(messageFor(appending: "[model]\nthreads = 2\nthreads = 3") ==
                "\(path):9: duplicate key \"threads\" in [model] (first set on line 8)")
    }

    @Test func duplicateSection() {
        #expect(messageFor(appending: "[camera]\nwidth = 320") == "\(path):7: duplicate section [camera] (first on line 1)")
    }

    @Test func badEnumValueListsTheAllowedOnes() {
        #expect(messageFor(appending: "[service]\nlog_level = \"verbose\"") ==
                "\(path):8: bad value \"verbose\" for log_level in [service] (allowed: \"debug\", \"info\", \"warning\", \"error\")")
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\npixel_format = \"NV12\"", path: path)?.description ==
                "\(path):3: bad value \"NV12\" for pixel_format in [camera] (allowed: \"YUYV\", \"GREY\", \"RGB3\", \"MJPG\")")
    }

    @Test func missingCameraDevice() {
        #expect(configError("[camera]\nwidth = 320\n[[reject]]\nchip = \"gpiochip0\"\noffset = 1", path: path)?.description ==
                "\(path):1: missing required key \"device\" in [camera] (required when source = \"camera\")")
    }

    @Test func missingReplayFolder() {
        #expect(configError("[camera]\nsource = \"replay\"\n[[reject]]\nchip = \"gpiochip0\"\noffset = 1", path: path)?.description ==
                "\(path):2: missing required key \"folder\" in [replay] (required when [camera] source = \"replay\")")
    }

    @Test func missingRejectLine() {
        #expect(configError("[camera]\ndevice = \"/dev/video0\"", path: path)?.description ==
                "\(path): missing section [[reject]] (at least one reject line, the ejector output, is required)")
    }

    @Test func missingOffset() {
        #expect(messageFor(appending: "[button]\nchip = \"gpiochip0\"") ==
                "\(path):7: missing required key \"offset\" in [button] (every line needs its offset on the chip)")
    }

    @Test func missingChipWithoutDefault() {
        #expect(messageFor(appending: "[[reject]]\noffset = 5") ==
                "\(path):7: missing required key \"chip\" in [[reject]] 2 (no chip here and no [lines] chip to fall back on)")
    }

    @Test func partPresentTriggerWithoutTriggerLine() {
        #expect(messageFor(appending: "[service]\ntrigger = \"part-present\"") ==
                "\(path):8: missing section [part_trigger] (needed when [service] trigger = \"part-present\")")
    }

    @Test(arguments: [
        ("gpiochip0:17", "a chip has no \":offset\" part: write the line's number as offset = N"),
        ("label=", "label= needs the chip's label, such as label=pinctrl-bcm2711"),
        ("/sys/class/gpio/gpiochip0", "a chip path is a device under /dev, such as /dev/gpiochip0"),
        ("", "empty (write gpiochipN, label=LABEL or /dev/gpiochipN)"),
        ("gpio chip", "a chip name is a device name such as gpiochip0"),
    ])
    func badChipSelector(chip: String, reason: String) {
        #expect(messageFor(appending: "[pass_light]\nchip = \(ConfigValue.quoted(chip))\noffset = 27") ==
                "\(path):8: bad chip \(ConfigValue.quoted(chip)) in [pass_light]: \(reason)")
    }

    @Test func sameLineUsedTwice() {
        #expect(messageFor(appending: "[fail_light]\nchip = \"gpiochip0\"\noffset = 17") ==
                "\(path):9: line gpiochip0:17 in [fail_light] is already used by [[reject]] 1 (line 5)")
    }

    @Test func sameLineThroughTheDefaultChip() {
        let text = "[camera]\ndevice = \"/dev/video0\"\n[lines]\nchip = \"gpiochip0\"\n[[reject]]\noffset = 4\n[button]\noffset = 4"
        #expect(configError(text, path: path)?.description ==
                "\(path):8: line gpiochip0:4 in [button] is already used by [[reject]] 1 (line 6)")
    }

    @Test func roiOutsideTheFrame() {
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\nwidth = 640\nroi = [600, 0, 100, 100]", path: path)?.description ==
                "\(path):4: roi [600, 0, 100, 100] lies outside the 640x480 frame (or is empty)")
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\nroi = [0, 0, 0, 10]", path: path)?.kind ==
                .roiOutsideFrame(roi: "[0, 0, 0, 10]", width: 640, height: 480))
    }

    @Test func roiOfWrongShape() {
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\nroi = [0, 0, 10]", path: path)?.description ==
                "\(path):3: wrong type for \"roi\" in [camera]: expected an array of 4 integers, got an array of 3 values")
    }

    @Test func longPressShorterThanDebounce() {
        #expect(messageFor(appending: "[lines]\ndebounce_ms = 500\nlong_press_ms = 400") ==
                "\(path):9: long_press_ms = 400 must be longer than debounce_ms = 500 in [lines]")
    }

    @Test func emptyPath() {
        #expect(messageFor(appending: "[model]\npath = \"\"") == "\(path):8: empty path for \"path\" in [model]")
        #expect(configError("[camera]\ndevice = \"\"", path: path)?.description ==
                "\(path):2: empty path for \"device\" in [camera]")
    }

    @Test func reconnectCapBelowFirstWait() {
        #expect(configError("[camera]\ndevice = \"/dev/video0\"\nreconnect_initial_ms = 1000\nreconnect_max_ms = 500", path: path)?
            .description == "\(path):4: reconnect_max_ms = 500 in [camera] is out of range (allowed: at least reconnect_initial_ms = 1000)")
    }

    @Test func previousModelPathSameAsModelPath() {
        #expect(messageFor(appending: "[model]\npath = \"/m\"\nprevious_path = \"/m\"") ==
                "\(path):9: invalid configuration: [model] previous_path must not be the model's own path /m")
    }

    @Test func keyOutsideSection() {
        #expect(configError("threads = 2\n[model]", path: path)?.description ==
                "\(path):1: key \"threads\" is outside any [section]")
    }

    @Test func everyMessageIsOneLine() {
        let texts = ["[camera]\nx = \"a\nb\"", "[camera]\ndevice = \"/dev/video0\"\npixel_format = \"YU\\nYV\"",
                     minimalConfiguration + "\n[pass_light]\nchip = \"gpio\\nchip0\"\noffset = 1"]
        for text in texts {
            let description = configError(text, path: path)?.description ?? ""
            #expect(description.hasPrefix(path + ":") && !description.contains("\n"), "\(description)")
        }
    }
}
