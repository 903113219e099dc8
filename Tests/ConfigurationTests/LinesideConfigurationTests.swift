import Capture
import Imaging
import LineIO
import Testing
@testable import Configuration

@Suite struct LinesideConfigurationTests {
    @Test func mapsCameraSectionIntoCameraConfiguration() throws {
        let configuration = try LinesideConfiguration.parse(text: validConfiguration, path: "pi4.conf")
        guard case .camera(let camera) = configuration.source else {
            Issue.record("expected a camera source")
            return
        }
        let c = camera.configuration
        #expect(c.devicePath == "/dev/v4l/by-id/usb-Logitech_C920-video-index0")
        #expect(c.requestedFormat == FrameFormat(width: 640, height: 480, pixelFormat: .yuyv))
        #expect(c.framesPerSecond == 30)
        #expect(c.regionOfInterest == PixelRect(x: 80, y: 0, width: 480, height: 480))
        #expect(c.controls.exposure == 150)
        #expect(c.controls.gain == 20)
        #expect(c.controls.whiteBalanceTemperature == nil)
        #expect(c.bufferCount == 4)
        #expect(!c.strict)
        #expect(camera.frameTimeout == .milliseconds(2000))
        #expect(camera.reconnect == ReconnectPolicy(initialDelay: .milliseconds(200), maximumDelay: .seconds(5),
                                                    restartAfterConsecutiveTimeouts: 3))
    }

    @Test func mapsLinesWithDefaultChipAndPerLineOverrides() throws {
        let lines = try LinesideConfiguration.parse(text: validConfiguration, path: "pi4.conf").lines
        let pi4 = ChipSelector.label("pinctrl-bcm2711")
        #expect(lines.rejectLines.count == 2)
        #expect(lines.rejectLines[0].output == OutputLineConfig(address: LineAddress(chip: pi4, offset: 17),
                                                                consumer: "lineside-reject-0"))
        #expect(lines.rejectLines[0].timing == RejectTiming(delayNs: 250_000_000, pulseWidthNs: 40_000_000))
        #expect(lines.rejectLines[1].output.address == LineAddress(chip: .name("gpiochip1"), offset: 5))
        #expect(lines.rejectLines[1].output.activeLow)
        #expect(lines.rejectLines[1].timing == RejectTiming(delayNs: 400_000_000, pulseWidthNs: 60_000_000,
                                                            minimumGapNs: 20_000_000))
        #expect(lines.passLight?.address == LineAddress(chip: pi4, offset: 27))
        #expect(lines.failLight?.address == LineAddress(chip: pi4, offset: 22))
        #expect(lines.statusLight?.address == LineAddress(chip: pi4, offset: 23))
        #expect(lines.button == InputLineConfig(address: LineAddress(chip: pi4, offset: 24), consumer: "lineside-button",
                                                activeLow: true, bias: .pullUp))
        #expect(lines.partTrigger == InputLineConfig(address: LineAddress(chip: pi4, offset: 25),
                                                     consumer: "lineside-part-trigger", activeLow: false, bias: .pullDown))
        #expect(lines.debounceNs == 30_000_000)
        #expect(lines.longPressNs == 2_000_000_000)
        #expect(lines.failSafe == .reject)
        #expect(lines.outputs.allSatisfy { $0.safeValue == false })
    }

    @Test func anUnwrittenFaultWaitIsAtLeastTwoFrameTimeouts() throws {
        let text = "[camera]\ntimeout_ms = 5000" + minimalConfiguration.dropFirst("[camera]".count)
        let configuration = try LinesideConfiguration.parse(text: text, path: "t.conf")
        guard case .camera(let camera) = configuration.source else { Issue.record("not a camera"); return }
        #expect(camera.faultAfter == .seconds(10))
        let defaults = try LinesideConfiguration.parse(text: minimalConfiguration, path: "d.conf")
        guard case .camera(let standard) = defaults.source else { Issue.record("not a camera"); return }
        #expect(standard.faultAfter == .seconds(5))
    }

    @Test func leavesEverythingUnwrittenAtTheSchemaDefault() throws {
        let configuration = try LinesideConfiguration.parse(text: minimalConfiguration, path: "min.conf")
        #expect(configuration.service.model == ModelSettings(path: "/var/lib/lineside/model.safetensors",
                                                     previousPath: "/var/lib/lineside/model.previous.safetensors",
                                                     threads: 2, noModelPolicy: .reject))
        #expect(configuration.service.calibration.frames == 100)
        #expect(configuration.service.calibration.minimumSpacing == .zero)
        #expect(configuration.service.calibration.fit.holdoutFraction == 0.1)
        #expect(configuration.service.calibration.fit.margin == 1.1)
        #expect(configuration.service.calibration.fit.dimensions == 100)
        #expect(configuration.service.calibration.fit.seed == 1234)
        #expect(configuration.service.trigger == .freeRun && configuration.service.statusFile == "/run/lineside/status")
        #expect(configuration.service.statusInterval == .seconds(1) && configuration.service.logLevel == .info)
        #expect(configuration.service == ServiceSettings.defaults)
        #expect(configuration.lines.passLight == nil && configuration.lines.button == nil)
        #expect(configuration.lines.rejectLines[0].timing == RejectTiming(delayNs: 0, pulseWidthNs: 50_000_000))
        #expect(configuration.lines.resultHoldNs == 500_000_000)
        #expect(configuration.lines.triggerHoldoffNs == 5_000_000)
        #expect(configuration.lines.maximumPartsInFlight == 256)
    }

    @Test func replaySourceNeedsNoCameraDevice() throws {
        let configuration = try LinesideConfiguration.parse(text: """
        [camera]
        source = "replay"
        [replay]
        folder = "/srv/parts"
        fps = 12
        loop = false
        [[reject]]
        chip = "gpiochip0"
        offset = 3
        """, path: "replay.conf")
        #expect(configuration.source == .replay(ReplaySettings(folder: "/srv/parts", framesPerSecond: 12, loops: false)))
    }

    @Test func readsFloatsWrittenAsIntegersAndChoices() throws {
        let configuration = try LinesideConfiguration.parse(text: minimalConfiguration + """

        [calibration]
        margin = 2
        holdout = 0
        [model]
        no_model_policy = "pass"
        [lines]
        fail_safe = "pass"
        """, path: "x.conf")
        #expect(configuration.service.calibration.fit.margin == 2)
        #expect(configuration.service.calibration.fit.holdoutFraction == 0)
        #expect(configuration.service.model.noModelPolicy == .pass)
        #expect(configuration.lines.failSafe == .pass)
    }

    @Test(arguments: [("YUYV", PixelFormat.yuyv), ("GREY", .grey), ("RGB3", .rgb24), ("MJPG", .mjpeg)])
    func mapsEachPixelFormatName(name: String, format: PixelFormat) throws {
        let text = minimalConfiguration.replacing("[camera]", with: "[camera]\npixel_format = \"\(name)\"", maxReplacements: 1)
        guard case .camera(let camera) = try LinesideConfiguration.parse(text: text, path: "x.conf").source else {
            Issue.record("expected a camera source")
            return
        }
        #expect(camera.configuration.pixelFormat == format)
    }

    @Test func summaryNamesSourceModelAndEveryLine() throws {
        let summary = try LinesideConfiguration.parse(text: validConfiguration, path: "pi4.conf").summary()
        let text = summary.joined(separator: "\n")
        #expect(summary.first == "source: camera /dev/v4l/by-id/usb-Logitech_C920-video-index0, 640x480 YUYV, 30 fps, roi 480x480 at (80, 0)")
        #expect(text.contains("model: /var/lib/lineside/model.safetensors"))
        #expect(text.contains("reject 0: label=pinctrl-bcm2711:17, pulse 40 ms after 250 ms"))
        #expect(text.contains("reject 1: gpiochip1:5 (active low), pulse 60 ms after 400 ms, gap 20 ms"))
        #expect(text.contains("button: label=pinctrl-bcm2711:24 (active low, pull-up)"))
        #expect(text.contains("trigger: part-present"))
    }
}

