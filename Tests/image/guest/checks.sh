#!/bin/bash
# lineside-test.service (test overlay only): the checks of one boot of the image, printed as
# RIG-CHECK / RIG-NOTE / RIG-FACT lines to the host (virtio-serial port "rig"). The boot is named
# on the kernel command line (lineside_test=boot1|boot2); boot1 ends with a reboot, boot2 with a
# power-off. Tests/image/run.sh asserts on the lines and compares facts across the two boots.
set -u
. /usr/local/lib/lineside-test/common.sh
markers_to_host
BOOT=$(sed -n 's/.*lineside_test=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
echo "RIG-BOOTED boot=$BOOT kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
sim_attach

state() { sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' /run/lineside/status 2>/dev/null; }
counter() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" /run/lineside/status 2>/dev/null; }
prop() { systemctl show -P "$1" lineside.service; }
main_pid() { systemctl show -P MainPID lineside.service; }
# pulse K: a part passes the sensor on input K (rising edge, 100 ms high).
pulse() { sim_press "$1"; sleep 0.1; sim_release "$1"; }
# wait_counter NAME MIN TENTHS: until counter NAME >= MIN.
counter_at_least() { [ "$(counter "$1")" -ge "$2" ] 2>/dev/null; }
is_state() { [ "$(state)" = "$1" ]; }
service_ready() { [ "$(prop ActiveState)" = active ] && [ "$(prop SubState)" = running ] && [ -s /run/lineside/status ]; }
# count_highs K SECONDS: rising transitions of output K seen by polling gpio-sim for SECONDS, with
# shell builtins only (read from sysfs, read -t on an idle fifo as the 10 ms sleep): a fork costs
# tens of milliseconds in this emulated guest, enough to miss a pulse.
count_highs() {
    local f end last=0 v n=0
    f="$(sim_line_dir "$1")/value"; end=$((SECONDS + $2))
    rm -f /tmp/tick; mkfifo /tmp/tick; exec 9<>/tmp/tick
    while [ "$SECONDS" -lt "$end" ]; do
        read -r v < "$f"; if [ "$v" = 1 ] && [ "$last" = 0 ]; then n=$((n + 1)); fi; last=$v
        read -r -t 0.01 -u 9 _ || true
    done
    exec 9<&-
    echo "$n"
}
outputs_safe() { [ "$(sim_value "$LS_REJECT")$(sim_value "$LS_PASS")$(sim_value "$LS_STATUS")" = 000 ]; }

check service-becomes-active wait_until 3000 service_ready
fact lineside_active_monotonic_us "$(prop ActiveEnterTimestampMonotonic)"
PID=$(main_pid)

if [ "$BOOT" = boot1 ]; then
    # --- first boot: partition grown, unique hostname, boot partition --------------------------
    check firstboot-ran test -s /var/lib/lineside-firstboot/done
    journalctl -b -u lineside-firstboot -o cat --no-pager > /tmp/firstboot.txt 2>&1
    artifact firstboot.txt /tmp/firstboot.txt
    fact hostname "$(hostname)"
    check hostname-unique-lineside-xxxxxx sh -c 'hostname | grep -Eq "^lineside-[0-9a-f]{6}$"'
    rootdev=$(findmnt -n -o SOURCE /); rootname=${rootdev##*/}
    disk=$(basename "$(readlink -f "/sys/class/block/$rootname/..")")
    pend=$(( $(cat "/sys/class/block/$rootname/start") + $(cat "/sys/class/block/$rootname/size") ))
    dsize=$(cat "/sys/class/block/$disk/size")
    note "root $rootdev on $disk: partition ends at sector $pend of $dsize; df: $(df -h / | tail -1 | tr -s ' ')"
    check root-partition-grown-to-disk-end test $((dsize - pend)) -lt 4096
    check root-fs-grown sh -c "[ \$(df -B1M --output=size / | tail -1) -gt $(( (pend / 2048) * 80 / 100 )) ]"
    check boot-partition-mounted-vfat sh -c 'findmnt -n -o FSTYPE /boot/firmware | grep -qx vfat'
    check boot-partition-has-pi4-firmware test -s /boot/firmware/start4.elf -a -s /boot/firmware/fixup4.dat -a -s /boot/firmware/bcm2711-rpi-4-b.dtb
    kernel=$(sed -n 's/^kernel=//p' /boot/firmware/config.txt); initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' /boot/firmware/config.txt)
    check config-txt-kernel-and-initrd-present test -s "/boot/firmware/$kernel" -a -s "/boot/firmware/$initrd" -a -n "$kernel"
    assert_contains cmdline-txt-root-by-label "root=LABEL=RASPIROOT" "$(cat /boot/firmware/cmdline.txt)"
    note "config.txt: $(grep -v '^#' /boot/firmware/config.txt | grep . | tr '\n' ' ')"
    note "cmdline.txt: $(cat /boot/firmware/cmdline.txt)"
    check board-config-valid lineside check-config --config /etc/lineside/lineside.conf.board

    # --- the service: notify, user, hardening ---------------------------------------------------
    assert_eq unit-type-notify notify "$(prop Type)"
    assert_eq unit-user lineside "$(prop User)"
    assert_eq unit-no-new-privileges yes "$(prop NoNewPrivileges)"
    assert_eq unit-protect-system strict "$(prop ProtectSystem)"
    assert_eq unit-protect-home yes "$(prop ProtectHome)"
    assert_eq unit-private-tmp yes "$(prop PrivateTmp)"
    assert_eq unit-read-write-paths /var/lib/lineside "$(prop ReadWritePaths)"
    assert_eq unit-watchdog-10s 10s "$(prop WatchdogUSec)"
    assert_eq unit-supplementary-groups "video gpio" "$(prop SupplementaryGroups)"
    systemctl show lineside.service -p Type -p User -p Group -p SupplementaryGroups -p NoNewPrivileges \
        -p ProtectSystem -p ProtectHome -p PrivateTmp -p ReadWritePaths -p StateDirectory -p RuntimeDirectory \
        -p WatchdogUSec -p CapabilityBoundingSet -p AmbientCapabilities -p RestrictAddressFamilies \
        -p ProtectKernelTunables -p ProtectKernelModules -p ProtectControlGroups > /tmp/unit-show.txt
    artifact unit-show.txt /tmp/unit-show.txt
    assert_eq process-runs-as-lineside lineside "$(ps -o user= -p "$PID" | tr -d ' ')"
    assert_eq process-no-new-privs 1 "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$PID/status")"
    groups_of_pid=" $(awk '/^Groups:/ { $1=""; print }' "/proc/$PID/status") "
    assert_contains process-in-video-group " $(getent group video | cut -d: -f3) " "$groups_of_pid"
    assert_contains process-in-gpio-group " $(getent group gpio | cut -d: -f3) " "$groups_of_pid"
    assert_eq process-sees-etc-read-only ro "$(nsenter -t "$PID" -m sh -c 'test -w /etc && echo rw || echo ro')"
    assert_eq process-sees-state-dir-writable rw "$(nsenter -t "$PID" -m sh -c 'test -w /var/lib/lineside && echo rw || echo ro')"
    chip_dev=/dev/$SIM_CHIP
    assert_eq udev-rule-gpiochip-group-mode "root:gpio 660" "$(stat -c '%U:%G %a' "$chip_dev")"
    assert_eq video0-group-video video "$(stat -c %G /dev/video0)"
    systemd-analyze security lineside.service --no-pager > /tmp/security.txt 2>&1
    artifact security.txt /tmp/security.txt
    score=$(sed -n 's/.*Overall exposure level for lineside.service: *\([0-9.]*\) *\([A-Z]*\).*/\1 \2/p' /tmp/security.txt)
    fact security_score "$score"
    check systemd-analyze-security-scored test -n "$score"

    # --- calibration by a long press, model on disk ---------------------------------------------
    check state-no-model-before-calibration wait_until 300 is_state no-model
    if line_used "$LS_BUTTON"; then pass service-holds-button-line; else fail service-holds-button-line "button line not requested"; fi
    sim_press "$LS_BUTTON"; sleep 2.5; sim_release "$LS_BUTTON"
    check long-press-starts-calibration wait_until 100 is_state calibrating
    # part-present mode: calibration frames are the frames of triggered parts.
    n=0
    # Each thread's state (R running, S sleeping) after every pulse: if the
    # service stalls here, the artifact says whether it was busy or waiting.
    threads() { awk '{ printf "%s:%s ", $1, $3 }' /proc/"$(main_pid)"/task/*/stat 2>/dev/null; }  # one fork: forks are slow here
    while is_state calibrating && [ $n -lt 80 ]; do
        pulse "$LS_TRIGGER"; sleep 0.6; n=$((n + 1))
        echo "$(cut -d' ' -f1 /proc/uptime) $(state) $(threads)" >> /tmp/calibration-threads.txt
    done
    artifact calibration-threads.txt /tmp/calibration-threads.txt
    note "calibration: $n trigger pulses"
    # The fit takes seconds here; a failed one goes back to no-model at once. Wait for either (a
    # bounded wait, well inside the host's qemu timeout), then say what the service logged.
    fit_over() { ! is_state calibrating && ! is_state fitting; }
    wait_until 1500 fit_over
    note "calibration ended in state '$(state)': $(journalctl -b -u lineside -o cat --no-pager | grep -E 'calibration|fitting|model saved' | tail -n 3 | tr '\n' '|')"
    check calibration-ends-inspecting is_state inspecting
    assert_eq calibrations-counted 1 "$(counter calibrations)"
    check model-file-saved test -s /var/lib/lineside/model.safetensors
    assert_eq model-owned-by-lineside lineside "$(stat -c %U /var/lib/lineside/model.safetensors 2>/dev/null)"
    fact model_sha256 "$(sha256sum /var/lib/lineside/model.safetensors | cut -d' ' -f1)"
    lineside status > /tmp/status-boot1.txt 2>&1; artifact status-boot1.txt /tmp/status-boot1.txt

    # --- part-present trigger: one verdict per edge; rejects on the defective view --------------
    sleep 10  # the calibration's last triggered parts reach the ejector (delay_ms 8000)
    i0=$(counter inspected); p0=$(counter passes); r0=$(counter rejects); f0=$(counter fail_safe)
    for _ in 1 2 3; do pulse "$LS_TRIGGER"; sleep 5; done
    wait_until 200 counter_at_least inspected $((i0 + 3))
    sleep 9
    i1=$(counter inspected); p1=$(counter passes); r1=$(counter rejects); f1=$(counter fail_safe)
    note "good view, 3 edges: inspected +$((i1 - i0)), passes +$((p1 - p0)), rejects +$((r1 - r0)), fail_safe +$((f1 - f0)), last score $(counter last_score)"
    assert_eq trigger-good-view-3-edges-3-verdicts 3 $((i1 - i0))
    assert_eq trigger-good-view-3-passes 3 $((p1 - p0))
    assert_eq trigger-good-view-no-reject 0 $((r1 - r0))
    v4l2-ctl -d /dev/video0 -c test_pattern=6 2>/dev/null || v4l2-ctl -d /dev/video0 -c test_pattern=1
    sleep 1
    count_highs "$LS_REJECT" 26 > /tmp/highs &
    HPID=$!
    for _ in 1 2 3; do pulse "$LS_TRIGGER"; sleep 5; done
    wait $HPID
    i2=$(counter inspected); p2=$(counter passes); r2=$(counter rejects); f2=$(counter fail_safe)
    note "defective view, 3 edges: inspected +$((i2 - i1)), passes +$((p2 - p1)), rejects +$((r2 - r1)), fail_safe +$((f2 - f1)), reject pulses seen $(cat /tmp/highs)"
    assert_eq trigger-defective-view-3-edges-3-verdicts 3 $((i2 - i1))
    assert_eq trigger-defective-view-3-rejects 3 $((r2 - r1))
    assert_eq trigger-defective-view-3-reject-pulses 3 "$(cat /tmp/highs)"
    assert_eq trigger-no-fail-safe-verdicts 0 $((f2 - f0))
    v4l2-ctl -d /dev/video0 -c test_pattern=0
    lineside status > /tmp/status-trigger.txt 2>&1; artifact status-trigger.txt /tmp/status-trigger.txt
    journalctl -b -u lineside -o short-monotonic --no-pager > /tmp/journal-boot1.txt 2>&1
    artifact journal-boot1.txt /tmp/journal-boot1.txt
    fact userspace_start_us "$(systemctl show -P UserspaceTimestampMonotonic)"
    rig_end
    systemctl reboot
else
    # --- second boot: the model survived the reboot ----------------------------------------------
    fact hostname "$(hostname)"
    assert_eq firstboot-not-run-again no "$(systemctl show -P ConditionResult lineside-firstboot.service)"
    check model-file-still-there test -s /var/lib/lineside/model.safetensors
    fact model_sha256 "$(sha256sum /var/lib/lineside/model.safetensors 2>/dev/null | cut -d' ' -f1)"
    check inspecting-after-reboot-without-calibration wait_until 300 is_state inspecting
    assert_eq no-calibration-this-boot 0 "$(counter calibrations)"
    lineside status > /tmp/status-boot2.txt 2>&1; artifact status-boot2.txt /tmp/status-boot2.txt
    assert_contains lineside-status-shows-model /var/lib/lineside/model.safetensors "$(cat /tmp/status-boot2.txt)"

    # --- watchdog: a stopped (SIGSTOP) lineside is killed and restarted -------------------------
    r0=$(prop NRestarts)
    kill -STOP "$PID"
    t0=$(date +%s)
    check watchdog-restarts-stopped-service wait_until 600 sh -c "[ \"\$(systemctl show -P MainPID lineside)\" != $PID ] && [ \"\$(systemctl show -P MainPID lineside)\" != 0 ]"
    note "watchdog: new main PID after $(( $(date +%s) - t0 )) s"
    assert_eq watchdog-one-restart $((r0 + 1)) "$(prop NRestarts)"
    check service-active-again wait_until 3000 service_ready
    journalctl -b -u lineside -o short-monotonic --no-pager > /tmp/journal-watchdog.txt 2>&1
    artifact journal-watchdog.txt /tmp/journal-watchdog.txt
    check journal-watchdog-timeout grep -q 'Watchdog timeout' /tmp/journal-watchdog.txt
    check journal-killed-by-sigabrt grep -Eq 'Killing process [0-9]+ \(lineside\) with signal SIGABRT|status=6/ABRT|code=dumped' /tmp/journal-watchdog.txt
    # ExecStopPost (lineside safe-outputs) ran after the kill and drove every output safe.
    check execstoppost-ran-after-watchdog sh -c "sed -n '/Watchdog timeout/,\$p' /tmp/journal-watchdog.txt | grep -q 'driven inactive (safe)'"
    note "ExecStopPost: $(sed -n '/Watchdog timeout/,$p' /tmp/journal-watchdog.txt | grep -F '(safe)' | head -4 | cut -c1-160 | tr '\n' '|')"

    # --- systemctl stop leaves the outputs safe --------------------------------------------------
    check status-light-on-while-inspecting wait_until 100 sh -c "[ \"\$(cat $(sim_line_dir "$LS_STATUS")/value)\" = 1 ]"
    systemctl stop lineside.service
    assert_eq stop-inactive inactive "$(prop ActiveState)"
    assert_eq stop-result-success success "$(prop Result)"
    check outputs-safe-after-stop outputs_safe
    if line_used "$LS_REJECT"; then fail lines-released-after-stop "reject line still held"; else pass lines-released-after-stop; fi
    prop ExecStopPost > /tmp/execstoppost.txt; artifact execstoppost.txt /tmp/execstoppost.txt
    assert_contains execstoppost-exit-status-0 "code=exited ; status=0 }" "$(cat /tmp/execstoppost.txt)"
    journalctl -b -u lineside -o short-monotonic --no-pager > /tmp/journal-boot2.txt 2>&1
    artifact journal-boot2.txt /tmp/journal-boot2.txt
    fact userspace_start_us "$(systemctl show -P UserspaceTimestampMonotonic)"
    rig_end
    systemctl poweroff
fi
