#!/bin/sh
# The rig scenario: runs INSIDE the qemu guest (busybox sh) against real kernel drivers
# (vivid for V4L2, gpio-sim for GPIO). Edit freely: add lineside commands as they land
# (`lineside probe`, a capture check, a fit started by a button press, reject lines, safe state
# after SIGTERM). Helpers (check, assert_eq, sim_press, sim_value, artifact...) are in lib.sh.
. /rig/lib.sh
. /rig/env

# GPIO line plan of the simulated chip (mirrors the board wiring the lead chooses).
LINE_REJECT=1        # output: reject gate
LINE_LIGHT=3         # output: ring light
LINE_BUTTON=5        # input: operator "fit" button
LINE_TRIGGER=2       # input: part-present trigger

# --- the binary under test ---------------------------------------------------------------------
check lineside-runs lineside --help

# --- V4L2 capture from vivid --------------------------------------------------------------------
check vivid-loads load_vivid
check video0-is-capture sh -c 'v4l2-ctl -d /dev/video0 --all | grep -q "Video Capture"'
check set-format-yuyv-640x480 v4l2-ctl -d /dev/video0 --set-fmt-video=width=640,height=480,pixelformat=YUYV
check set-rate-30fps v4l2-ctl -d /dev/video0 --set-parm=30
check capture-5-frames v4l2-ctl -d /dev/video0 --stream-mmap=4 --stream-count=5 --stream-to=/tmp/frames.yuyv
assert_eq capture-size-5x640x480x2 3072000 "$(stat -c %s /tmp/frames.yuyv 2>/dev/null)"

# --- GPIO through gpio-sim -----------------------------------------------------------------------
check gpio-sim-chip-by-label sim_setup lineside-sim 8
note "gpio-sim device=$SIM_DEV chip=$SIM_CHIP"
assert_eq gpio-sim-8-lines 8 "$(gpioinfo "$SIM_LABEL" | grep -c 'line ')"

# Output: a line driven high by a consumer reads back 1 at gpio-sim; released -> back to its pull.
gpioset --mode=signal "$SIM_LABEL" "$LINE_REJECT=1" &
SETPID=$!
wait_until 50 line_used "$LINE_REJECT"
assert_eq output-high-reads-back 1 "$(sim_value "$LINE_REJECT")"
kill -TERM "$SETPID"; wait "$SETPID" 2>/dev/null
wait_until 50 sh -c "! gpioinfo $SIM_LABEL | grep -E '^[[:space:]]+line[[:space:]]+$LINE_REJECT:' | grep -q '\[used'"
assert_eq output-released-returns-to-pull 0 "$(sim_value "$LINE_REJECT")"

gpioset --mode=signal "$SIM_LABEL" "$LINE_LIGHT=0" &
SETPID=$!
wait_until 50 line_used "$LINE_LIGHT"
assert_eq output-low-reads-back 0 "$(sim_value "$LINE_LIGHT")"
kill -TERM "$SETPID"; wait "$SETPID" 2>/dev/null

# Input: pulling a line up/down is what a consumer reads.
sim_press "$LINE_TRIGGER"
assert_eq input-pulled-up-reads-1 1 "$(gpioget "$SIM_LABEL" "$LINE_TRIGGER")"
sim_release "$LINE_TRIGGER"
assert_eq input-pulled-down-reads-0 0 "$(gpioget "$SIM_LABEL" "$LINE_TRIGGER")"

# Edge: a button press (pull-up) is seen as a rising edge by a waiting consumer.
gpiomon --num-events=1 --rising-edge "$SIM_LABEL" "$LINE_BUTTON" > /tmp/gpiomon.out 2>&1 &
MONPID=$!
wait_until 50 line_used "$LINE_BUTTON"
sim_press "$LINE_BUTTON"
wait_until 50 sh -c "! kill -0 $MONPID"
kill "$MONPID" 2>/dev/null; wait "$MONPID" 2>/dev/null
sim_release "$LINE_BUTTON"
assert_contains button-press-is-rising-edge "RISING EDGE" "$(cat /tmp/gpiomon.out)"

# --- lineside itself: probe, the service on vivid + gpio-sim, calibration by button, rejects ------
LS_REJECT=1; LS_PASS=3; LS_STATUS=4; LS_BUTTON=5
check lineside-probe-lists-video0 sh -c 'lineside probe > /tmp/probe.txt 2>&1; grep -q "/dev/video0" /tmp/probe.txt'
assert_contains lineside-probe-lists-sim-chip "$SIM_LABEL" "$(cat /tmp/probe.txt)"
artifact probe.txt /tmp/probe.txt

cat > /tmp/lineside.conf <<CONF
[camera]
device = "/dev/video0"
width = 640
height = 480
pixel_format = "YUYV"
fps = 30
roi = [80, 0, 480, 480]
timeout_ms = 5000

[model]
path = "/tmp/model/model.safetensors"
previous_path = "/tmp/model/model.previous.safetensors"
threads = 2
no_model_policy = "pass"

[calibration]
frames = 12
holdout = 0.25
dimensions = 24

[lines]
chip = "label=$SIM_LABEL"
long_press_ms = 1500

[[reject]]
offset = $LS_REJECT
pulse_ms = 400
delay_ms = 100

[pass_light]
offset = $LS_PASS

[status_light]
offset = $LS_STATUS

[button]
offset = $LS_BUTTON
bias = "as-is"

[service]
status_file = "/tmp/lineside.status"
CONF
mkdir -p /tmp/model
check lineside-config-valid lineside check-config --config /tmp/lineside.conf

# lineside snapshot on vivid: the frame (640x480) with the roi outlined, then the 224x224 view.
lineside snapshot --config /tmp/lineside.conf --out /tmp/snapshot.png > /tmp/snapshot.txt 2>&1; status=$?
assert_eq snapshot-on-vivid-exits-0 0 "$status"
assert_contains snapshot-on-vivid-is-frame-and-view "/tmp/snapshot.png: 872x480" "$(cat /tmp/snapshot.txt)"
artifact snapshot.png /tmp/snapshot.png
sed 's|/dev/video0|/dev/video7|' /tmp/lineside.conf > /tmp/lineside-nocam.conf
lineside snapshot --config /tmp/lineside-nocam.conf --out /tmp/snapshot-none.png > /tmp/snapshot-none.txt 2>&1; status=$?
assert_eq snapshot-without-camera-exits-1 1 "$status"
assert_contains snapshot-without-camera-names-device "/dev/video7" "$(cat /tmp/snapshot-none.txt)"
state() { sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' /tmp/lineside.status 2>/dev/null; }
counter() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" /tmp/lineside.status 2>/dev/null; }
lineside run --config /tmp/lineside.conf > /tmp/lineside.log 2>&1 &
LSPID=$!
check service-starts-without-model wait_until 600 sh -c '[ "$(sed -n "s/.*\"state\":\"\([a-z-]*\)\".*/\1/p" /tmp/lineside.status 2>/dev/null)" = no-model ]'
check service-holds-reject-line line_used "$LS_REJECT"
assert_eq reject-line-starts-safe 0 "$(sim_value "$LS_REJECT")"
# The operator holds the calibration button (long press), then lets go.
sim_press "$LS_BUTTON"; sleep 2; sim_release "$LS_BUTTON"
check calibration-by-button-then-inspecting wait_until 3000 sh -c '[ "$(sed -n "s/.*\"state\":\"\([a-z-]*\)\".*/\1/p" /tmp/lineside.status 2>/dev/null)" = inspecting ]'
check model-saved test -s /tmp/model/model.safetensors
check parts-pass-on-the-calibrated-view wait_until 600 sh -c '[ "$(sed -n "s/.*\"passes\":\([0-9]*\).*/\1/p" /tmp/lineside.status)" -gt 0 ]'
# Another picture in front of the camera: vivid's test pattern changes, the parts are defective.
v4l2-ctl -d /dev/video0 -c test_pattern=6 2>/dev/null || v4l2-ctl -d /dev/video0 -c test_pattern=1
seen_high=0
i=0
while [ $i -lt 600 ]; do
    [ "$(sim_value "$LS_REJECT")" = 1 ] && { seen_high=1; break; }
    sleep 0.05; i=$((i + 1))
done
assert_eq reject-line-fires-on-changed-view 1 "$seen_high"
check rejects-counted wait_until 200 sh -c '[ "$(sed -n "s/.*\"rejects\":\([0-9]*\).*/\1/p" /tmp/lineside.status)" -gt 0 ]'
kill -TERM "$LSPID"
wait "$LSPID"; status=$?
assert_eq service-exits-cleanly-on-sigterm 0 "$status"
assert_eq reject-line-safe-after-sigterm 0 "$(sim_value "$LS_REJECT")"
assert_eq pass-light-safe-after-sigterm 0 "$(sim_value "$LS_PASS")"
if line_used "$LS_REJECT"; then fail lines-released-after-sigterm "reject line still held"; else pass lines-released-after-sigterm; fi
cp /tmp/lineside.status /tmp/lineside.status.json 2>/dev/null
artifact lineside.log /tmp/lineside.log
artifact lineside.status.json /tmp/lineside.status.json

# --- Swift Testing checks of the camera/GPIO modules against the real drivers ---------------------
# Run when the host put the package's test bundle in (RIG_EXTRA_BINS=.../linesidePackageTests.xctest,
# RIG_TEST_FILTER=<regex of test IDs>). The tests find the hardware themselves (LINESIDE_TEST_VIDEO,
# the gpio-sim chip through /sys/bus/gpio/devices/gpiochipN/sim_gpio*); here, where the hardware
# exists, a test that says it skipped is a failure.
if [ -x /usr/bin/linesidePackageTests.xctest ]; then
    export LINESIDE_TEST_VIDEO=/dev/video0
    linesidePackageTests.xctest --testing-library swift-testing ${RIG_TEST_FILTER:+--filter "$RIG_TEST_FILTER"} $RIG_TEST_ARGS \
        > /tmp/swift-tests.txt 2>&1
    status=$?
    artifact swift-tests.txt /tmp/swift-tests.txt
    swift_testing_results /tmp/swift-tests.txt
    assert_eq swift-tests-exit-status 0 "$status"
    skipped=$(grep -i 'skipped' /tmp/swift-tests.txt | head -3 | tr '\n' '|')
    assert_eq swift-tests-none-skipped-in-rig "" "$skipped"
fi

gpioinfo "$SIM_LABEL" > /tmp/gpioinfo.txt
artifact gpioinfo.txt /tmp/gpioinfo.txt
rig_end
