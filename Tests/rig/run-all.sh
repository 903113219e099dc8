#!/usr/bin/env bash
# The hardware-gap checks, as tools/test.sh runs them (from the repository root, after
# `swift build --build-tests`): prints one PASS/FAIL line per check; exit status 0 when all passed.
#   Tests/rig/run-all.sh
# 1. aarch64 build (board/build-aarch64.sh): the binary a user flashes; `file`, size, and
#    `lineside --help` and `lineside bench --runs 1` under qemu-aarch64-static (arm64 sysroot).
# 2. Rig x86_64 (Tests/rig/run.sh) with .build/debug/lineside and the package's test bundle, whose
#    real-driver suites (RIG_TEST_FILTER, default LibV4L2DeviceTests|GPIODLineDriverTests) run
#    against vivid and gpio-sim.
# 3. Rig aarch64 with the aarch64 binary from step 1.
# 4. Rig self-test: a scenario whose checks must fail makes the rig fail.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
source board/lib/common.sh
set +e
now() { date +%s; }
STATUS=0
result() { if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1${3:+: $3}"; STATUS=1; fi; }
T0=$(now)

ensure_packages qemu-user-static file
ARM_BIN="$REPO/.build-aarch64/aarch64-unknown-linux-gnu/release/lineside"
board/build-aarch64.sh . --product lineside > /tmp/rig-aarch64-build.log 2>&1
rc=$?; tail -n 5 /tmp/rig-aarch64-build.log
result aarch64-build $rc "see /tmp/rig-aarch64-build.log"
T1=$(now)
if [ $rc -eq 0 ]; then
    file "$ARM_BIN"; echo "size: $(stat -c %s "$ARM_BIN") bytes"
    qemu-aarch64-static -L "$(board/sysroot.sh arm64)" "$ARM_BIN" --help > /tmp/rig-aarch64-help.txt 2>&1
    rc=$?; head -n 3 /tmp/rig-aarch64-help.txt
    result aarch64-help-under-qemu-user $rc "$(tail -n 1 /tmp/rig-aarch64-help.txt)"
    # Functional (not timed: emulated) run of the whole per-frame path on Debian's arm64 XNNPACK;
    # about 30 s. RIG_SKIP_BENCH=1 leaves it out.
    if [ -z "${RIG_SKIP_BENCH:-}" ]; then
        qemu-aarch64-static -L "$(board/sysroot.sh arm64)" "$ARM_BIN" bench --runs 1 --threads 1 \
            > /tmp/rig-aarch64-bench.txt 2>&1
        rc=$?; grep -q 'frame (preprocess..score)' /tmp/rig-aarch64-bench.txt || rc=1
        result aarch64-bench-under-qemu-user $rc "$(tail -n 2 /tmp/rig-aarch64-bench.txt | tr '\n' '|')"
    fi
fi

T1B=$(now)
X86_BIN="$REPO/.build/debug/lineside"
[ -x "$X86_BIN" ] || swift build -j 2 --product lineside > /tmp/rig-x86-build.log 2>&1
BUNDLE="$REPO/.build/debug/linesidePackageTests.xctest"
extra=(); [ -x "$BUNDLE" ] && extra=(RIG_EXTRA_BINS="$BUNDLE")
# --no-parallel: GPIODLineDriverTests' two gpio-sim tests both use line 0 of the simulated chip and
# fail with EBUSY when Swift Testing runs them at the same time (seen in this rig).
T2=$(now)
env "${extra[@]}" RIG_TEST_FILTER="${RIG_TEST_FILTER:-LibV4L2DeviceTests|GPIODLineDriverTests}" \
    RIG_TEST_ARGS="${RIG_TEST_ARGS:---no-parallel}" Tests/rig/run.sh x86_64 "$X86_BIN"
result rig-x86_64 $?
T3=$(now)
if [ -x "$ARM_BIN" ]; then Tests/rig/run.sh aarch64 "$ARM_BIN"; result rig-aarch64 $?
else result rig-aarch64 1 "no aarch64 binary"; fi
T4=$(now)
Tests/rig/selftest/run.sh x86_64 "$X86_BIN"; result rig-selftest $?
echo "rig times: aarch64 build $((T1 - T0)) s, qemu-user checks $((T1B - T1)) s, rig x86_64 $((T3 - T2)) s, rig aarch64 $((T4 - T3)) s, total $(( $(now) - T0 )) s"
exit $STATUS
