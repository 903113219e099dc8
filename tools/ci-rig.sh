#!/usr/bin/env bash
# CI step for the hardware gaps: aarch64 cross-build + the real-kernel rig on both architectures.
#   tools/ci-rig.sh [PACKAGE_DIR]      (default: this repository)
# 1. board/build-aarch64.sh: the aarch64 binary a user flashes (static Swift runtime);
#    `file`, size and `lineside --help` under qemu-aarch64-static against the arm64 sysroot.
# 2. swift build -c release --static-swift-stdlib: the x86_64 binary.
# 3. Tests/rig/run.sh for x86_64 and aarch64 (Debian's kernels in qemu, vivid + gpio-sim), then
#    Tests/rig/selftest/run.sh (a scenario whose checks must fail makes the rig fail).
# Ends with "rig: N passed, M failed"; exit status non-zero when anything failed.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PKG=$(cd "${1:-$REPO}" && pwd)
source "$REPO/board/lib/common.sh"
ensure_packages qemu-user-static file
now() { date +%s; }
T0=$(now)

"$REPO/board/build-aarch64.sh" "$PKG" --product lineside
ARM_BIN="$PKG/.build-aarch64/aarch64-unknown-linux-gnu/release/lineside"
T1=$(now)
echo "== aarch64 binary =="
file "$ARM_BIN"
echo "size: $(stat -c %s "$ARM_BIN") bytes"
qemu-aarch64-static -L "$("$REPO/board/sysroot.sh" arm64)" "$ARM_BIN" --help

(cd "$PKG" && swift build -c release -j 2 --static-swift-stdlib --product lineside)
X86_BIN="$PKG/.build/x86_64-unknown-linux-gnu/release/lineside"
T2=$(now)

STATUS=0; PASSED=0; FAILED=0
for arch in x86_64 aarch64; do
    bin=$X86_BIN; [ "$arch" = aarch64 ] && bin=$ARM_BIN
    ts=$(now)
    if "$REPO/Tests/rig/run.sh" "$arch" "$bin" | tee "/tmp/ci-rig-$arch.txt"; then :; else STATUS=1; fi
    p=$(sed -n "s/^rig $arch: \([0-9]*\) passed, \([0-9]*\) failed/\1/p" "/tmp/ci-rig-$arch.txt")
    f=$(sed -n "s/^rig $arch: \([0-9]*\) passed, \([0-9]*\) failed/\2/p" "/tmp/ci-rig-$arch.txt")
    [ -n "$p" ] || { p=0; f=$((${f:-0} + 1)); }
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    echo "rig $arch wall time: $(( $(now) - ts )) s"
done
# The rig must also fail when a check fails.
if "$REPO/Tests/rig/selftest/run.sh" x86_64 "$X86_BIN"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); STATUS=1; fi
echo "times: aarch64 build $((T1 - T0)) s, x86_64 build $((T2 - T1)) s, rigs $(( $(now) - T2 )) s, total $(( $(now) - T0 )) s"
echo "rig: $PASSED passed, $FAILED failed"
exit $STATUS
