#!/usr/bin/env bash
# The one test command (README; .ci/run calls it): set-up, build, unit tests, the command-line
# bad-input checks, the Python tools' tests, and (when tools/rig.sh exists and qemu can run) the
# real-kernel rig. Ends with one line 'tests: N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

tools/setup.sh || { echo "tests: 0 passed, 1 failed (setup)"; exit 1; }

passed=0 failed=0
log=$(mktemp /tmp/lineside-test-XXXXXX.log)
trap 'rm -f "$log"' EXIT

count() {  # count NAME STATUS PASSED FAILED
  echo "== $1: $3 passed, $4 failed (exit $2)"
  passed=$((passed + $3)); failed=$((failed + $4))
  if [ "$2" -ne 0 ] && [ "$4" -eq 0 ]; then failed=$((failed + 1)); fi
}

echo "== swift build"
if ! swift build --build-tests 2>&1 | tail -n 20; then :; fi

echo "== swift test (unit tests)"
swift test 2>&1 | tee "$log" | grep -E "✘|error:|skipped:|Test run with" ; status=${PIPESTATUS[0]}
n=$(grep -oE "Test run with [0-9]+ tests" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)
issues=$(grep -cE "^✘ Test .* (failed|recorded an issue)" "$log" || true)
count "swift test" "$status" "$((n - issues))" "$issues"

echo "== command-line bad input"
Tests/cli/bad-input.sh .build/debug/lineside >"$log" 2>&1; status=$?
cat "$log"
line=$(grep -E "^cli bad input: [0-9]+ passed" "$log" | tail -1)
count "cli" "$status" "$(echo "$line" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+" || echo 0)" \
      "$(echo "$line" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 0)"

echo "== check-config (bad configuration files)"
Tests/cli/check-config.sh .build/debug/lineside >"$log" 2>&1; status=$?
cat "$log"
line=$(grep -E "^check-config: [0-9]+ passed" "$log" | tail -1)
count "check-config" "$status" "$(echo "$line" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+" || echo 0)" \
      "$(echo "$line" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 0)"

echo "== kill -9 during fit and save (50 times)"
swift build -c release --product lineside 2>&1 | tail -n 1
Tests/cli/kill-during-fit.sh .build/release/lineside 50 >"$log" 2>&1; status=$?
cat "$log"
line=$(grep -E "^kill test: [0-9]+ passed" "$log" | tail -1)
count "kill" "$status" "$(echo "$line" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+" || echo 0)" \
      "$(echo "$line" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 0)"

if [ -d tools/tests ]; then
  echo "== python tools (pytest)"
  python3 -m pytest -q tools/tests 2>&1 | tee "$log" | tail -n 15; status=${PIPESTATUS[0]}
  count "pytest" "$status" "$(grep -oE "[0-9]+ passed" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)" \
        "$(grep -oE "[0-9]+ failed" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)"
fi

if [ -x Tests/rig/run-all.sh ]; then
  echo "== real-kernel rig (qemu: vivid, gpio-sim)"
  Tests/rig/run-all.sh 2>&1 | tee "$log" | tail -n 40; status=${PIPESTATUS[0]}
  count "rig" "$status" "$(grep -cE "^PASS" "$log" || true)" "$(grep -cE "^FAIL" "$log" || true)"
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
