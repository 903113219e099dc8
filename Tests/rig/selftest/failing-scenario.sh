#!/bin/sh
# Self-test scenario: must make run.sh fail. A line nobody drives cannot read back 1, and a capture
# from a device that does not exist cannot succeed.
. /rig/lib.sh
check gpio-sim-chip-by-label sim_setup lineside-sim 8
assert_eq undriven-line-reads-high 1 "$(sim_value 4)"
check capture-from-missing-device v4l2-ctl -d /dev/video7 --stream-mmap --stream-count=1 --stream-to=/tmp/f
rig_end
