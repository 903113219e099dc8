#!/usr/bin/env bash
# Checks that the rig reports failures: runs Tests/rig/run.sh with a scenario whose checks must
# fail, and expects a non-zero exit status with each failing check named, and the passing one kept.
#   Tests/rig/selftest/run.sh x86_64|aarch64 BINARY
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=$(RIG_SCENARIO="$HERE/failing-scenario.sh" RIG_OUT="${RIG_OUT:-$PWD/.build-rig}/selftest" \
      "$HERE/../run.sh" "$@" 2>&1); rc=$?
echo "$out" | grep -E '^(PASS|FAIL|rig )' | sed 's/^/  selftest| /'   # expected failures, not counted
ok=1
[ $rc -ne 0 ] || { echo "selftest: run.sh exited 0 on a failing scenario"; ok=0; }
for want in "PASS gpio-sim-chip-by-label" "FAIL undriven-line-reads-high: expected '1', got '0'" \
            "FAIL capture-from-missing-device" "1 passed, 2 failed"; do
    echo "$out" | grep -qF "$want" || { echo "selftest: missing '$want'"; ok=0; }
done
[ $ok = 1 ] && echo "rig selftest: the failing scenario failed as it must" || { echo "rig selftest: the rig did not report the failures"; exit 1; }
