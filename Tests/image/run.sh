#!/usr/bin/env bash
# Boots the lineside image (board/make-image.sh) in qemu-system-aarch64 (virt, TCG, systemd as PID 1,
# the image's own kernel and initrd taken from its FAT boot partition, root=LABEL=RASPIROOT) twice,
# with vivid and gpio-sim standing in for the camera and the header, and asserts on the checks the
# guest reports over a virtio-serial port.
#   Tests/image/run.sh [IMAGE]       (default: the newest .build-image/lineside-*-arm64.img)
# The image is not changed: a sparse copy, 512 MiB larger (the first boot grows the root
# partition), gets the test overlay written into its ext4 with debugfs (no loop device):
#   gpio-sim.ko (built as the rig builds it, Tests/rig/lib/kernel.sh), the rig's guest helpers,
#   Tests/image/guest/* (units and scripts), and the test configuration as
#   /etc/lineside/lineside.conf (the image's own is kept as lineside.conf.board and checked).
# Boot 1: first boot, service ready, hardening, udev rule, security score, calibration by a long
# press, part-present trigger; reboot. Boot 2: the model survived, watchdog (SIGSTOP), stop.
# Output: one PASS/FAIL line per check, then 'image: N passed, N failed'; exit 0 when all passed.
# Logs and artifacts: ${IMAGE_TEST_OUT:-.build-image-test}/ (serial-bootN.log, markers-bootN.log, artifacts/).
set -euo pipefail
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$TEST_DIR/../.." && pwd)
RIG_DIR="$REPO_DIR/Tests/rig"
source "$REPO_DIR/board/lib/common.sh"
source "$RIG_DIR/lib/kernel.sh"

IMAGE=${1:-$(find "$REPO_DIR/.build-image" -maxdepth 1 -name "lineside-*-arm64.img" -printf "%T@ %p\n" 2>/dev/null | sort -rn | head -1 | cut -d" " -f2-)}
{ [ -n "$IMAGE" ] && [ -f "$IMAGE" ]; } || die "no image (board/make-image.sh first, or pass its path)"
OUT=${IMAGE_TEST_OUT:-$REPO_DIR/.build-image-test}
rm -rf "$OUT"; mkdir -p "$OUT/artifacts"
T0=$(date +%s)
ensure_packages qemu-system-arm mtools fdisk e2fsprogs make gcc-12 gcc-aarch64-linux-gnu binutils xz-utils zstd \
    kmod libelf1 libssl3
rig_kernel arm64          # KVER, GPIO_SIM_KO (bookworm's linux-image-arm64, as in the image)

# --- the disk: a grown copy of the image --------------------------------------------------------
DISK="$OUT/disk.img"
cp --sparse=always "$IMAGE" "$DISK"
truncate -s +512M "$DISK"
part() { sfdisk -d "$DISK" | awk -v p="$DISK$1" '$1==p { for (i=1;i<=NF;i++) { if ($i=="start=") s=$(i+1); if ($i=="size=") z=$(i+1) }
                                                    gsub(",", "", s); gsub(",", "", z); print s, z }'; }
BOOT_START=; ROOT_START=; ROOT_SIZE=
read -r BOOT_START _ < <(part 1) || true
read -r ROOT_START ROOT_SIZE < <(part 2) || true
{ [ -n "$BOOT_START" ] && [ -n "$ROOT_START" ]; } || die "no partitions 1 and 2 in $IMAGE"
export MTOOLS_SKIP_CHECK=1
FAT="$DISK@@$((BOOT_START * 512))"
mcopy -n -i "$FAT" ::/config.txt ::/cmdline.txt "$OUT/"
kernel=$(sed -n 's/^kernel=//p' "$OUT/config.txt"); initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$OUT/config.txt")
{ [ -n "$kernel" ] && [ -n "$initrd" ]; } || die "config.txt names no kernel/initramfs"
mcopy -n -i "$FAT" "::/$kernel" "$OUT/vmlinuz"
mcopy -n -i "$FAT" "::/$initrd" "$OUT/initrd.img"
[ "${kernel#vmlinuz-}" = "$KVER" ] || die "the image's kernel ${kernel#vmlinuz-} is not the rig's $KVER (gpio-sim.ko)"

# --- the test overlay, written into the root ext4 with debugfs ------------------------------------
ROOTFS="$OUT/root.ext4"
dd if="$DISK" of="$ROOTFS" bs=512 skip="$ROOT_START" count="$ROOT_SIZE" conv=sparse status=none
debugfs -R "dump /etc/lineside/lineside.conf $OUT/lineside.conf.board" "$ROOTFS" 2>/dev/null
[ -s "$OUT/lineside.conf.board" ] || die "the image has no /etc/lineside/lineside.conf"
OV="$OUT/overlay"
L="$OV/usr/local/lib/lineside-test"
install -D -m 0644 "$RIG_DIR/guest/lib.sh" "$L/lib.sh"
install -m 0644 "$TEST_DIR/guest/common.sh" "$L/common.sh"
install -m 0755 "$TEST_DIR/guest/test-hw.sh" "$TEST_DIR/guest/checks.sh" "$L/"
install -D -m 0644 "$GPIO_SIM_KO" "$OV/usr/lib/modules/$KVER/updates/gpio-sim.ko"
S="$OV/etc/systemd/system"
install -D -m 0644 "$TEST_DIR/guest/lineside-test-hw.service" "$S/lineside-test-hw.service"
install -m 0644 "$TEST_DIR/guest/lineside-test.service" "$S/lineside-test.service"
install -D -m 0644 "$TEST_DIR/guest/lineside-after-test-hw.conf" "$S/lineside.service.d/test.conf"
mkdir -p "$S/multi-user.target.wants"
ln -s ../lineside-test-hw.service "$S/multi-user.target.wants/lineside-test-hw.service"
ln -s ../lineside-test.service "$S/multi-user.target.wants/lineside-test.service"
install -D -m 0644 "$TEST_DIR/guest/lineside.conf.test" "$OV/etc/lineside/lineside.conf"
install -m 0644 "$OUT/lineside.conf.board" "$OV/etc/lineside/lineside.conf.board"
# debugfs commands: directories (parents first), then files and symlinks, owned by root.
{
    (cd "$OV" && find . -mindepth 1 -type d | LC_ALL=C sort) | while read -r d; do echo "mkdir ${d#.}"; done
    (cd "$OV" && find . \( -type f -o -type l \) | LC_ALL=C sort) | while read -r f; do
        p=${f#.}; dir=${p%/*}; name=${p##*/}
        echo "cd ${dir:-/}"; echo "rm $name"
        if [ -L "$OV/$f" ]; then echo "symlink $name $(readlink "$OV/$f")"
        else
            echo "write $OV/$f $name"
            echo "sif $name mode 0100$(stat -c %a "$OV/$f")"
        fi
        echo "sif $name uid 0"; echo "sif $name gid 0"
    done
} > "$OUT/debugfs.cmds"
debugfs -w -f "$OUT/debugfs.cmds" "$ROOTFS" > "$OUT/debugfs.log" 2>&1 || die "debugfs failed (see $OUT/debugfs.log)"
for f in /usr/local/lib/lineside-test/checks.sh "/usr/lib/modules/$KVER/updates/gpio-sim.ko" /etc/lineside/lineside.conf.board \
         /etc/systemd/system/multi-user.target.wants/lineside-test.service; do
    debugfs -R "stat $f" "$ROOTFS" 2>/dev/null | grep -q 'Type: \(regular\|symlink\)' || die "overlay file $f missing after debugfs"
done
e2fsck -fn "$ROOTFS" > "$OUT/e2fsck.log" 2>&1 || die "the root file system is damaged after the overlay (see $OUT/e2fsck.log)"
dd if="$ROOTFS" of="$DISK" bs=512 seek="$ROOT_START" conv=notrunc,sparse status=none
rm -f "$ROOTFS"
T1=$(date +%s)
log "prepared in $((T1 - T0)) s: kernel $KVER, disk $(( $(stat -c %s "$DISK") / 1048576 )) MiB"

# --- the two boots ----------------------------------------------------------------------------------
STATUS=0
RESULTS="$OUT/results.txt"; : > "$RESULTS"
status_of() { if "$@"; then echo 0; else echo 1; fi; }
result() { if [ "$2" -eq 0 ]; then echo "PASS image/$1" | tee -a "$RESULTS"; else echo "FAIL image/$1${3:+: $3}" | tee -a "$RESULTS"; STATUS=1; fi; }
boot() {
    local name=$1 t0 t1 rc
    # shellcheck disable=SC2054  # commas are qemu option syntax
    local qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 2048 -accel tcg
                -nodefaults -no-user-config -display none -monitor none -no-reboot
                -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img"
                -append "root=LABEL=RASPIROOT rw console=ttyAMA0 panic=-1 lineside_test=$name"
                -drive "file=$DISK,format=raw,if=none,id=disk,cache=writeback" -device virtio-blk-pci,drive=disk
                -device virtio-rng-pci -device virtio-serial-pci
                -chardev "file,id=rig,path=$OUT/markers-$name.log" -device virtserialport,chardev=rig,name=rig
                -chardev "file,id=serial0,path=$OUT/serial-$name.log" -serial chardev:serial0)
    echo "${qemu[*]}" > "$OUT/qemu-command-$name.txt"
    log "booting $name (TCG, systemd) ..."
    t0=$(date +%s.%N)
    set +e; timeout "${IMAGE_TEST_TIMEOUT:-1200}" "${qemu[@]}" < /dev/null > "$OUT/qemu-$name.out" 2>&1; rc=$?; set -e
    t1=$(date +%s.%N)
    tr -d '\r' < "$OUT/markers-$name.log" > "$OUT/markers-$name.txt"
    # Without the virtio port (no virtio_console) the guest writes to the serial console instead.
    grep -q '^RIG-BOOTED' "$OUT/markers-$name.txt" || tr -d '\r' < "$OUT/serial-$name.log" > "$OUT/markers-$name.txt"
    awk -v dir="$OUT/artifacts" -v b="$name" '/^RIG-ARTIFACT-BEGIN /{ f=dir "/" b "-" $2 ".b64"; next }
         /^RIG-ARTIFACT-END /{ close(f); f=""; next }  f { print > f }' "$OUT/markers-$name.txt"
    for f in "$OUT"/artifacts/*.b64; do [ -e "$f" ] || continue; base64 -d "$f" > "${f%.b64}" 2>/dev/null && rm "$f"; done
    grep -E '^RIG-(CHECK|NOTE)' "$OUT/markers-$name.txt" \
        | sed -E "s/^RIG-CHECK (PASS|FAIL) /\\1 image\\/$name\\//; s/^RIG-NOTE /  note: /" | tee -a "$RESULTS" || true
    result "$name-finished" "$(status_of grep -q '^RIG-END' "$OUT/markers-$name.txt")" "no RIG-END (qemu exit $rc; see $OUT/serial-$name.log)"
    result "$name-qemu-exit" "$rc" "exit status $rc (124: timeout)"
    printf 'wall: %s %.0f s\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" | tee -a "$OUT/times.txt"
    if [ "$rc" -ne 0 ] || ! grep -q '^RIG-END' "$OUT/markers-$name.txt"; then tail -n 30 "$OUT/serial-$name.log" | sed 's/^/  serial| /'; fi
}
fact() { sed -n "s/^RIG-FACT $2=//p" "$OUT/markers-$1.txt" 2>/dev/null | tail -1; }

boot boot1
boot boot2
T2=$(date +%s)

# --- host-side comparisons across the reboot --------------------------------------------------------
m1=$(fact boot1 model_sha256); m2=$(fact boot2 model_sha256)
result model-survives-reboot "$(status_of test -n "$m1" -a "$m1" = "$m2")" "boot1 '$m1', boot2 '$m2'"
h1=$(fact boot1 hostname); h2=$(fact boot2 hostname)
result hostname-kept-across-reboot "$(status_of test -n "$h1" -a "$h1" = "$h2")" "boot1 '$h1', boot2 '$h2'"
for b in boot1 boot2; do
    us=$(fact $b lineside_active_monotonic_us); ss=$(fact $b userspace_start_us)
    echo "boot-to-ready $b: $(awk -v u="${us:-0}" -v s="${ss:-0}" 'BEGIN { printf "%.1f s after kernel start (kernel + initrd %.1f s, then systemd to READY=1 %.1f s)", u / 1e6, s / 1e6, (u - s) / 1e6 }')"
done | tee -a "$OUT/times.txt"
echo "security: systemd-analyze security lineside.service: $(fact boot1 security_score)" | tee -a "$OUT/times.txt"
echo "image test times: prepare $((T1 - T0)) s, boots $((T2 - T1)) s, total $((T2 - T0)) s" | tee -a "$OUT/times.txt"
PASSED=$(grep -c '^PASS' "$RESULTS" || true); FAILED=$(grep -c '^FAIL' "$RESULTS" || true)
[ "$PASSED" -gt 0 ] || STATUS=1
[ "$FAILED" -eq 0 ] || STATUS=1
echo "image: $PASSED passed, $FAILED failed"
exit $STATUS
