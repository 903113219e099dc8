#!/usr/bin/env bash
# Real-kernel rig: boots Debian bookworm's own kernel in qemu (TCG) with an initramfs holding the
# given lineside binary, and runs Tests/rig/scenario.sh inside against vivid (V4L2) and gpio-sim.
#   Tests/rig/run.sh x86_64|aarch64 BINARY
# Output: per-check PASS/FAIL, wall times; exit status 0 only when every check passed.
# Logs and artifacts: ${RIG_OUT:-.build-rig}/<arch>/ (serial.log, artifacts/).
# Environment: LINESIDE_RIG_CACHE (default /var/cache/lineside-rig), RIG_TIMEOUT (s, default 600),
#              RIG_SCENARIO (another scenario file), RIG_EXTRA_DIR (copied to /rig/extra).
set -euo pipefail
RIG_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$RIG_DIR/../.." && pwd)
source "$REPO_DIR/board/lib/common.sh"
source "$RIG_DIR/lib/kernel.sh"
source "$RIG_DIR/lib/initramfs.sh"

[ $# -eq 2 ] || die "usage: $0 x86_64|aarch64 BINARY"
ARCH=$1; BINARY=$(realpath "$2")
[ -x "$BINARY" ] || die "$BINARY is not an executable"
case "$ARCH" in
    x86_64)  DEBARCH=amd64; QEMU_PKG=qemu-system-x86; MACHINE_ELF="X86-64";;
    aarch64) DEBARCH=arm64; QEMU_PKG=qemu-system-arm; MACHINE_ELF="AArch64";;
    *) die "ARCH must be x86_64 or aarch64";;
esac
readelf -h "$BINARY" | grep -q "Machine:.*$MACHINE_ELF" || die "$BINARY is not an $ARCH binary"

OUT="${RIG_OUT:-$PWD/.build-rig}/$ARCH"
rm -rf "$OUT"; mkdir -p "$OUT/artifacts"
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(date +%s.%N)
# libelf1/libssl3: what the unpacked linux-kbuild-6.1 host tools (modpost, objtool) link.
ensure_packages "$QEMU_PKG" mmdebstrap make gcc-12 gcc-aarch64-linux-gnu binutils cpio xz-utils zstd kmod libelf1 libssl3

rig_kernel "$DEBARCH"
build_initramfs "$DEBARCH" "$BINARY" "$OUT/initramfs.cpio"
T1=$(date +%s.%N)
log "prepared $ARCH in $(elapsed $T0 $T1) s: kernel $KVER, initramfs $(du -h "$OUT/initramfs.cpio" | cut -f1) ($INITRAMFS_FILES files)"

APPEND="quiet loglevel=3 panic=-1 rdinit=/init"
case "$ARCH" in
    x86_64)  # the uncompressed vmlinux boots directly through its PVH entry point. A Nehalem CPU
             # (SSE4.2, no AVX2/FMA): TCG emulates FMA3 in soft-float, and XNNPACK's FMA kernels made
             # the backbone's float32 prefix 9.2 s a frame under -cpu max (1.1 s the whole backbone
             # under Nehalem; qemu-x86_64-static, lineside bench --runs 3 --threads 1, 2026-12-02).
        QEMU=(qemu-system-x86_64 -M pc -cpu Nehalem -smp 2 -append "console=ttyS0 $APPEND");;
    aarch64) QEMU=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -append "console=ttyAMA0 $APPEND");;
esac
QEMU+=(-accel tcg -m 1024 -nodefaults -no-user-config -display none -monitor none -no-reboot
       -kernel "$KERNEL" -initrd "$OUT/initramfs.cpio"
       -chardev "file,id=serial0,path=$OUT/serial.log" -serial chardev:serial0)
echo "${QEMU[*]}" > "$OUT/qemu-command.txt"
log "booting $ARCH (TCG) ..."
T2=$(date +%s.%N)
set +e
timeout "${RIG_TIMEOUT:-600}" "${QEMU[@]}" < /dev/null > "$OUT/qemu.out" 2>&1
QEMU_RC=$?
set -e
T3=$(date +%s.%N)
tr -d '\r' < "$OUT/serial.log" > "$OUT/serial.txt"

# Artifacts: RIG-ARTIFACT-BEGIN name ... RIG-ARTIFACT-END name (base64).
awk -v dir="$OUT/artifacts" '/^RIG-ARTIFACT-BEGIN /{ f=dir "/" $2 ".b64"; next }
     /^RIG-ARTIFACT-END /{ close(f); f=""; next }  f { print > f }' "$OUT/serial.txt"
for f in "$OUT"/artifacts/*.b64; do
    [ -e "$f" ] || continue
    if base64 -d "$f" > "${f%.b64}" 2>/dev/null; then rm "$f"; else log "warning: artifact $f is not valid base64"; fi
done

echo "== rig $ARCH: kernel $KVER =="
grep -E '^RIG-(CHECK|NOTE)' "$OUT/serial.txt" \
    | sed -E "s/^RIG-CHECK (PASS|FAIL) /\\1 $ARCH\\//; s/^RIG-NOTE /  note: /" || true
BOOTED=$(sed -n 's/^RIG-BOOTED .*uptime=\([0-9.]*\).*/\1/p' "$OUT/serial.txt")
ENDED=$(sed -n 's/^RIG-SCENARIO-EXIT .*uptime=\([0-9.]*\).*/\1/p' "$OUT/serial.txt")
PASSED=$(grep -c '^RIG-CHECK PASS' "$OUT/serial.txt" || true)
FAILED=$(grep -c '^RIG-CHECK FAIL' "$OUT/serial.txt" || true)
END_LINE=$(grep '^RIG-END' "$OUT/serial.txt" || true)
printf 'wall: prepare %.1f s, qemu %.1f s (guest: boot to test start %s s, scenario end at %s s), total %.1f s\n' \
    "$(elapsed $T0 $T1)" "$(elapsed $T2 $T3)" "${BOOTED:-?}" "${ENDED:-?}" "$(elapsed $T0 $T3)"
STATUS=0
[ -n "$BOOTED" ] || { echo "FAIL: guest never reached /init (see $OUT/serial.txt)"; STATUS=1; }
[ -n "$END_LINE" ] || { echo "FAIL: scenario did not finish (no RIG-END; qemu exit $QEMU_RC)"; STATUS=1; }
[ "$QEMU_RC" -eq 0 ] || { echo "FAIL: qemu exit status $QEMU_RC (124 = timeout)"; STATUS=1; }
[ "$PASSED" -gt 0 ] || STATUS=1
[ "$FAILED" -eq 0 ] || STATUS=1
[ $STATUS -eq 0 ] || tail -n 40 "$OUT/serial.txt" | sed 's/^/  serial| /'
echo "rig $ARCH: $PASSED passed, $FAILED failed"
exit $STATUS
