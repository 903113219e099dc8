#!/usr/bin/env bash
# The image step of tools/test.sh (from the repository root): the aarch64 binary (built by the rig
# step before it, or here), board/make-image.sh (cached downloads), then Tests/image/run.sh (two
# systemd boots of the image in qemu). One PASS/FAIL line per check, then
# 'image: N passed, N failed'. IMAGE_SKIP=1 skips the step (prints a note, counts nothing).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO" || exit 1
if [ -n "${IMAGE_SKIP:-}" ]; then echo "image step skipped (IMAGE_SKIP=1)"; echo "image: 0 passed, 0 failed"; exit 0; fi
now() { date +%s; }
T0=$(now)
ARM_BIN="$REPO/.build-aarch64/aarch64-unknown-linux-gnu/release/lineside-stripped"
if [ ! -x "$ARM_BIN" ]; then
    board/build-aarch64.sh . --product lineside > /tmp/image-aarch64-build.log 2>&1 \
        || { tail -n 5 /tmp/image-aarch64-build.log; echo "FAIL image/aarch64-build: see /tmp/image-aarch64-build.log"; echo "image: 0 passed, 1 failed"; exit 1; }
fi
T1=$(now)
# CI (CI=true) builds the raw image only: the xz copy takes about 5 of CI's minutes and the boot
# checks use the raw one; IMAGE_COMPRESS=1 asks for it anyway (sizes: board/README.md).
compress=(); if [ -n "${CI:-}" ] && [ -z "${IMAGE_COMPRESS:-}" ]; then compress=(--no-compress); fi
board/make-image.sh --binary "$ARM_BIN" "${compress[@]}" > /tmp/image-build.log 2>&1
rc=$?
grep -E '^image' /tmp/image-build.log
T2=$(now)
if [ $rc -ne 0 ]; then
    tail -n 20 /tmp/image-build.log
    echo "FAIL image/make-image: exit $rc, see /tmp/image-build.log"; echo "image: 0 passed, 1 failed"; exit 1
fi
echo "PASS image/make-image"
IMG=$(sed -n 's/^image: //p' /tmp/image-build.log | tail -1)
Tests/image/run.sh "$IMG" > /tmp/image-test.log 2>&1
rc=$?
grep -vE '^image: [0-9]+ passed' /tmp/image-test.log | grep -vE '^\[[0-9:]+\] '
line=$(grep -E '^image: [0-9]+ passed' /tmp/image-test.log | tail -1)
p=$(echo "$line" | sed -n 's/^image: \([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
[ -n "$line" ] || { echo "FAIL image/boot-checks: no summary, exit $rc (see /tmp/image-test.log)"; p=0; f=1; }
echo "image step times: binary $((T1 - T0)) s, image build $((T2 - T1)) s, boot checks $(( $(now) - T2 )) s"
echo "image: $((p + 1)) passed, $f failed"
[ $rc -eq 0 ] && [ "${f:-1}" -eq 0 ]
