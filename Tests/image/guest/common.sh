# shellcheck shell=bash disable=SC2034  # variables for the scripts that source this file
# Sourced by the image test's guest scripts (systemd units in the test overlay, bash, as root).
# Reuses the rig's helpers (Tests/rig/guest/lib.sh: pass/fail/check/assert_*, note, artifact,
# sim_value/sim_press/sim_release/line_used, sim_setup, load_vivid) with two changes for a Debian
# system: wait_until sleeps with coreutils' sleep (no busybox usleep) and the marker lines go to
# the virtio-serial port "rig" (the host's markers-bootN.log), not to the console.
. /usr/local/lib/lineside-test/lib.sh

wait_until() {
    local n=$1; shift
    while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}

# Marker output: the virtio port (udev makes /dev/virtio-ports/rig once virtio_console is loaded).
markers_to_host() {
    local i=0
    while [ ! -e /dev/virtio-ports/rig ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -e /dev/virtio-ports/rig ]; then exec > /dev/virtio-ports/rig 2>&1; else exec > /dev/ttyAMA0 2>&1; fi
}

fact() { echo "RIG-FACT $1=$2"; }

# sim_attach: SIM_LABEL/SIM_DEV/SIM_CHIP of the chip lineside-test-hw.service made.
sim_attach() {
    local dir=/sys/kernel/config/gpio-sim/rig
    SIM_LABEL=$(cat "$dir/bank0/label"); SIM_DEV=$(cat "$dir/dev_name"); SIM_CHIP=$(cat "$dir/bank0/chip_name")
}

# GPIO line plan of the simulated header (the test configuration, lineside.conf.test).
LS_REJECT=1; LS_TRIGGER=2; LS_PASS=3; LS_STATUS=4; LS_BUTTON=5
SIM_LABEL_WANTED=lineside-sim
