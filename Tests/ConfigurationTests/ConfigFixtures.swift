@testable import Configuration

/// A complete, valid configuration (the Raspberry Pi 4 wiring of board/lineside.conf.example-rpi).
let validConfiguration = """
# lineside on a Raspberry Pi 4
[camera]
device = "usb-Logitech_C920-video-index0"   # a /dev/v4l/by-id name
width = 640
height = 480
pixel_format = "YUYV"
fps = 30
roi = [80, 0, 480, 480]
exposure = 150
gain = 20

[model]
threads = 4

[lines]
chip = "label=pinctrl-bcm2711"
debounce_ms = 30
long_press_ms = 2000

[[reject]]
offset = 17
pulse_ms = 40
delay_ms = 250

[[reject]]
chip = "gpiochip1"
offset = 5
active_low = true
pulse_ms = 60
delay_ms = 400
min_gap_ms = 20

[pass_light]
offset = 27

[fail_light]
offset = 22

[status_light]
offset = 23

[button]
offset = 24

[part_trigger]
offset = 25

[service]
trigger = "part-present"
log_level = "debug"

"""

/// The smallest valid configuration: a camera and one reject line.
let minimalConfiguration = """
[camera]
device = "/dev/video0"
[[reject]]
chip = "gpiochip0"
offset = 17
"""

/// The error `parse` throws for `text`, or nil when it parses.
func configError(_ text: String, path: String = "/etc/lineside/lineside.conf") -> ConfigError? {
    do {
        _ = try LinesideConfiguration.parse(text: text, path: path)
        return nil
    } catch {
        return error
    }
}
