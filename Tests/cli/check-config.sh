#!/usr/bin/env bash
# `lineside check-config` over bad configuration files: each must end with exit status 1 and exactly
# one stderr line 'FILE:LINE: ...' (or 'FILE: ...' when no line is to blame) containing the expected
# phrase. Also: the Raspberry Pi example is valid (exit 0), usage errors exit 2.
# Usage: Tests/cli/check-config.sh path/to/lineside
set -u
bin=${1:?usage: check-config.sh LINESIDE_BINARY}
board=$(cd "$(dirname "$0")/../../board" && pwd)
work=$(mktemp -d /tmp/lineside-check-config-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $1: $2"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; sed 's/^/     /' "$work/err" | head -5; }

# bad NAME WHERE PHRASE: checks $work/NAME.conf (written by the caller). WHERE is a line number, or
# "-" when the message names the file only.
bad() {
  local name=$1 where=$2 phrase=$3 file="$work/$1.conf" prefix
  if [ "$where" = - ]; then prefix="$file: "; else prefix="$file:$where: "; fi
  timeout 10 "$bin" check-config --config "$file" >"$work/out" 2>"$work/err"
  local got=$? lines
  lines=$(wc -l <"$work/err")
  if [ "$got" -eq 1 ] && [ "$lines" -eq 1 ] && grep -qF -- "lineside: $prefix" "$work/err" && grep -qF -- "$phrase" "$work/err" \
     && [ ! -s "$work/out" ]; then
    ok "$name" "$(cat "$work/err")"
  else
    fail "$name" "status $got (want 1), $lines stderr lines (want 1), wanted '$prefix' and '$phrase':"
  fi
}

# conf NAME: writes stdin, after a valid camera and reject line (lines 1-5), to $work/NAME.conf.
conf() {
  { printf '[camera]\ndevice = "/dev/video0"\n[[reject]]\nchip = "gpiochip0"\noffset = 17\n'; cat; } >"$work/$1.conf"
}
# raw NAME: writes stdin alone.
raw() { cat >"$work/$1.conf"; }

conf syntax <<<'[model]
threads: 4'
bad syntax 7 'syntax error: expected "=" after "threads"'

conf unterminated <<<'[model]
path = "/var/lib/lineside/model.safetensors'
bad unterminated 7 'unterminated string'

conf unknown-section <<<'[calibraton]'
bad unknown-section 6 'unknown section [calibraton] (did you mean [calibration]?)'

raw unknown-key <<<'[camera]
device = "/dev/video0"
exposre = 100'
bad unknown-key 3 'unknown key "exposre" in [camera] (did you mean "exposure"?)'

conf wrong-type <<<'[model]
threads = "four"'
bad wrong-type 7 'wrong type for "threads" in [model]: expected an integer, got a string'

conf out-of-range <<<'[model]
threads = 16'
bad out-of-range 7 'threads = 16 in [model] is out of range (allowed: 1...8)'

conf duplicate-key <<<'[model]
threads = 2
threads = 3'
bad duplicate-key 8 'duplicate key "threads" in [model] (first set on line 7)'

conf duplicate-section <<<'[camera]'
bad duplicate-section 6 'duplicate section [camera] (first on line 1)'

raw bad-enum <<<'[camera]
device = "/dev/video0"
pixel_format = "NV12"'
bad bad-enum 3 'bad value "NV12" for pixel_format in [camera] (allowed: "YUYV", "GREY", "RGB3", "MJPG")'

raw no-device <<<'[camera]
width = 320
[[reject]]
chip = "gpiochip0"
offset = 17'
bad no-device 1 'missing required key "device" in [camera] (required when source = "camera")'

raw no-reject <<<'[camera]
device = "/dev/video0"'
bad no-reject - 'missing section [[reject]]'

conf no-chip <<<'[button]
offset = 24'
bad no-chip 6 'missing required key "chip" in [button]'

conf bad-chip <<<'[pass_light]
chip = "gpiochip0:27"
offset = 27'
bad bad-chip 7 'bad chip "gpiochip0:27" in [pass_light]: a chip has no ":offset" part'

conf line-twice <<<'[fail_light]
chip = "gpiochip0"
offset = 17'
bad line-twice 8 'line gpiochip0:17 in [fail_light] is already used by [[reject]] 1 (line 5)'

raw roi <<<'[camera]
device = "/dev/video0"
width = 640
height = 480
roi = [600, 0, 100, 100]'
bad roi 5 'roi [600, 0, 100, 100] lies outside the 640x480 frame'

conf long-press <<<'[lines]
debounce_ms = 500
long_press_ms = 400'
bad long-press 8 'long_press_ms = 400 must be longer than debounce_ms = 500'

conf empty-path <<<'[model]
path = ""'
bad empty-path 7 'empty path for "path" in [model]'

conf trigger-without-sensor <<<'[service]
trigger = "part-present"'
bad trigger-without-sensor 7 'missing section [part_trigger]'

bad not-there - 'cannot read the configuration: open failed: No such file or directory'

raw fault-after <<<'[camera]
device = "/dev/video0"
timeout_ms = 3000
fault_after_ms = 2000
[[reject]]
chip = "gpiochip0"
offset = 17'
bad fault-after 4 'fault_after_ms = 2000 in [camera] is out of range (allowed: more than timeout_ms = 3000'

mkfifo "$work/fifo.conf"
bad fifo - 'cannot read the configuration: read (a FIFO, not a regular file) failed'

mkdir "$work/directory.conf"
bad directory - 'cannot read the configuration: read (a directory, not a regular file) failed'

# The defaults file alone lacks the camera device.
"$bin" check-config --print-defaults >"$work/defaults.conf" 2>"$work/err" || fail defaults "print-defaults failed"
bad defaults 8 'missing required key "device" in [camera]'

# The Raspberry Pi example is valid.
if "$bin" check-config --config "$board/lineside.conf.example-rpi" >"$work/out" 2>"$work/err" && [ ! -s "$work/err" ] \
   && grep -qF "reject 0: label=pinctrl-bcm2711:17" "$work/out"; then
  ok "raspberry pi example" "$(head -1 "$work/out")"
else
  fail "raspberry pi example" "not valid, or no summary"
fi

# Usage errors: exit 2.
"$bin" check-config --config >"$work/out" 2>"$work/err"; got=$?
if [ "$got" -eq 2 ] && grep -qF -- "--config needs a value" "$work/err"; then ok "usage" "$(cat "$work/err")"; else fail "usage" "status $got (want 2)"; fi

echo "check-config: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
