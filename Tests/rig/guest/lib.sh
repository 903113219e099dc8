# shellcheck shell=dash
# Helpers for rig scenarios (sourced by /rig/scenario.sh inside the guest; busybox sh).
# Output protocol on the serial console, read by Tests/rig/run.sh on the host:
#   RIG-CHECK PASS <name>
#   RIG-CHECK FAIL <name>: <detail>
#   RIG-ARTIFACT-BEGIN <name> / base64 lines / RIG-ARTIFACT-END <name>   (saved to the host)
#   RIG-END passed=<n> failed=<n>

RIG_PASSED=0
RIG_FAILED=0

pass() { RIG_PASSED=$((RIG_PASSED + 1)); echo "RIG-CHECK PASS $1"; }
fail() { RIG_FAILED=$((RIG_FAILED + 1)); echo "RIG-CHECK FAIL $1: $2"; }
note() { echo "RIG-NOTE $*"; }

# check NAME COMMAND...: passes when COMMAND exits 0; on failure its last output lines are shown.
check() {
    local name=$1; shift
    if "$@" > /tmp/check.out 2>&1; then pass "$name"
    else fail "$name" "exit $? from '$*': $(tail -n 3 /tmp/check.out | tr '\n' '|')"; fi
}

# assert_eq NAME EXPECTED ACTUAL
assert_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# assert_contains NAME NEEDLE HAYSTACK
assert_contains() {
    case "$3" in *"$2"*) pass "$1";; *) fail "$1" "'$2' not in '$(echo "$3" | head -c 200)'";; esac
}

# wait_until TIMEOUT_TENTHS COMMAND...: polls every 0.1 s; returns 1 on timeout.
wait_until() {
    local n=$1; shift
    while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; usleep 100000; n=$((n - 1)); done
    return 1
}

# artifact NAME FILE: copies FILE to the host (base64 over the serial console).
artifact() {
    echo "RIG-ARTIFACT-BEGIN $1"; base64 "$2"; echo "RIG-ARTIFACT-END $1"
}

# swift_testing_results FILE: one PASS/FAIL check per test of a Swift Testing run's output
# ("✔ Test name() passed ...", "✘ Test name() failed ..." with the last "recorded an issue" line
# of that test as the detail); fails when no test ran.
swift_testing_results() {
    local n=0 line name issue_file=/tmp/swift-issues
    : > "$issue_file"
    while IFS= read -r line; do
        case "$line" in
            "✔ Test run with"*|"✘ Test run with"*) ;;
            "✘ Test "*" recorded an issue"*)
                name=${line#✘ Test }; name=${name%% recorded an issue*}
                echo "$name ${line#*recorded an issue }" >> "$issue_file";;
            "✔ Test "*" passed"*) name=${line#✔ Test }; name=${name%% passed*}; pass "swift/$name"; n=$((n + 1));;
            "✘ Test "*" failed"*)
                name=${line#✘ Test }; name=${name%% failed*}
                fail "swift/$name" "$(grep -F "$name " "$issue_file" | tail -n 1 | cut -d' ' -f2-)"; n=$((n + 1));;
        esac
    done < "$1"
    [ "$n" -gt 0 ] || fail swift-tests-ran "no test result in $(tail -n 3 "$1" | tr '\n' '|')"
}

rig_end() { echo "RIG-END passed=$RIG_PASSED failed=$RIG_FAILED"; }

# --- V4L2: vivid -----------------------------------------------------------------------------
# load_vivid: one vivid instance with only a video capture node -> /dev/video0.
load_vivid() { modprobe vivid n_devs=1 node_types=0x1 && wait_until 50 test -c /dev/video0; }

# --- GPIO: gpio-sim ------------------------------------------------------------------------------
# sim_setup LABEL NUM_LINES: creates and enables a gpio-sim chip through configfs; sets SIM_DEV
# (platform device, e.g. gpio-sim.0), SIM_CHIP (gpiochipN: found by label, not assumed 0) and
# SIM_LABEL.
sim_setup() {
    modprobe gpio-sim || return 1
    grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config || return 1
    local dir=/sys/kernel/config/gpio-sim/rig
    mkdir -p "$dir/bank0" && echo "$1" > "$dir/bank0/label" && echo "$2" > "$dir/bank0/num_lines" \
        && echo 1 > "$dir/live" || return 1
    SIM_LABEL=$1
    SIM_DEV=$(cat "$dir/dev_name")
    SIM_CHIP=$(cat "$dir/bank0/chip_name")
    local found=""
    for c in /sys/bus/gpio/devices/gpiochip*; do
        [ "$(cat "$c/label" 2>/dev/null)" = "$1" ] && found=${c##*/}
    done
    [ -n "$found" ] || found=$(gpiodetect | awk -v l="[$1]" '$2==l {print $1}')
    [ "$found" = "$SIM_CHIP" ] || { echo "label $1 -> '$found', configfs says $SIM_CHIP"; return 1; }
}

sim_line_dir() { echo "/sys/devices/platform/$SIM_DEV/$SIM_CHIP/sim_gpio$1"; }
# sim_value K: what the consumer drives on output line K (0/1), as gpio-sim sees it.
sim_value() { cat "$(sim_line_dir "$1")/value"; }
# sim_press K / sim_release K: simulate an input (button) by pulling line K up / down.
sim_press() { echo pull-up > "$(sim_line_dir "$1")/pull"; }
sim_release() { echo pull-down > "$(sim_line_dir "$1")/pull"; }
# line_used K: true while some process holds line K of the simulated chip.
line_used() { gpioinfo "$SIM_LABEL" | grep -E "^[[:space:]]+line[[:space:]]+$1:" | grep -q '\[used'; }
