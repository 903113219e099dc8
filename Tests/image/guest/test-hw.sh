#!/bin/bash
# lineside-test-hw.service (test overlay only): the camera and the header lineside is configured
# for, before lineside.service starts: vivid as /dev/video0 and a gpio-sim chip "lineside-sim"
# (8 lines; gpio-sim.ko built as the rig builds it, installed under /lib/modules/KVER/updates).
set -u
. /usr/local/lib/lineside-test/common.sh
depmod -a
load_vivid || { echo "vivid did not load"; exit 1; }
v4l2-ctl -d /dev/video0 --set-parm=30 >/dev/null || true
# No on-screen text (vivid draws a frame counter and the time into the picture): the "part" is
# then the same picture every time, as a part under fixed light is.
v4l2-ctl -d /dev/video0 -c osd_text_mode=2 || echo "vivid has no osd_text_mode control"
sim_setup "$SIM_LABEL_WANTED" 8 || { echo "gpio-sim setup failed"; exit 1; }
# udev applies 99-lineside-gpio.rules to the new /dev/gpiochipN: wait for it to settle.
udevadm settle -t 10 || true
echo "test hardware ready: /dev/video0, $SIM_CHIP ($SIM_LABEL)"
