#!/usr/bin/env bash
# The one test command (README; .ci/run calls it): set-up, build, unit tests, the command-line
# checks (bad input, bad configurations, kill -9 during a fit), the hostile-input fuzz suite, the
# Python tools' tests, the real-kernel rig (aarch64 build, qemu with vivid and gpio-sim), the
# vector kernels built for aarch64 against x86_64 (Tests/kernels), and the
# board image booted with systemd in qemu (Tests/image). Ends with one line
# 'tests: N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

tools/setup.sh || { echo "tests: 0 passed, 1 failed (setup)"; exit 1; }

passed=0 failed=0
log=$(mktemp /tmp/lineside-test-XXXXXX.log)
trap 'rm -f "$log"' EXIT

step_start=$SECONDS
count() {  # count NAME STATUS PASSED FAILED (and the seconds since the previous count)
  echo "== $1: $3 passed, $4 failed (exit $2, $((SECONDS - step_start)) s)"
  step_start=$SECONDS
  passed=$((passed + $3)); failed=$((failed + $4))
  if [ "$2" -ne 0 ] && [ "$4" -eq 0 ]; then failed=$((failed + 1)); fi
}

# script NAME SUMMARY-PREFIX COMMAND...: runs a check script that ends with 'PREFIX: N passed, N failed'.
script() {
  local name=$1 prefix=$2; shift 2
  "$@" >"$log" 2>&1; local status=$? line
  cat "$log"
  line=$(grep -E "^$prefix: [0-9]+ passed" "$log" | tail -1)
  count "$name" "$status" "$(echo "$line" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+" || echo 0)" \
        "$(echo "$line" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 0)"
}

echo "== swift build"
if ! swift build --build-tests 2>&1 | tail -n 20; then :; fi

echo "== swift test (unit tests)"
swift test 2>&1 | tee "$log" | grep -E "✘|error:|skipped:|Test run with" ; status=${PIPESTATUS[0]}
n=$(grep -oE "Test run with [0-9]+ tests" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)
issues=$(grep -cE "^✘ Test .* (failed|recorded an issue)" "$log" || true)
if [ "$status" -ne 0 ]; then
  # Keep the whole log of a failed run for whoever reads the CI output next.
  kept=.build/swift-test-failed.log
  cp "$log" "$kept"
  echo "swift test exited $status; its whole log is in $kept"
fi
if [ "$status" -ne 0 ] && [ "$n" -eq 0 ]; then
  # A crash (a signal) ends the run without a summary: name the tests that started and never
  # ended and show the log's tail.
  echo "no summary (a crash?); tests started and not ended:"
  sed -nE '/^◇ Test (case passing|run started)/d; s/^◇ Test (.*) started\.$/\1/p' "$log" | sort >"$log.started"
  sed -nE 's/^[✔✘] Test (.*) (passed|failed|recorded an issue|skipped).*$/\1/p' "$log" |
    sed -E 's/ with [0-9]+ test cases?$//' | sort -u >"$log.ended"
  comm -23 "$log.started" "$log.ended" >"$log.open"
  echo "  $(wc -l <"$log.open") of them (the first 40; Swift Testing starts many at once):"
  head -n 40 "$log.open" | sed 's/^/  /'
  rm -f "$log.started" "$log.ended" "$log.open"
  echo "last 40 lines:"
  tail -n 40 "$log" | sed 's/^/  | /'
fi
count "swift test" "$status" "$((n - issues))" "$issues"

echo "== command-line bad input"
script cli "cli bad input" Tests/cli/bad-input.sh .build/debug/lineside

echo "== check-config (bad configuration files)"
script check-config check-config Tests/cli/check-config.sh .build/debug/lineside

echo "== kill -9 during fit and save (50 times)"
swift build -c release --product lineside 2>&1 | tail -n 1
script kill "kill test" Tests/cli/kill-during-fit.sh .build/release/lineside 50

echo "== the frame path allocates nothing (glibc malloc trace, 1 and 2 threads)"
script allocations frame-allocations Tests/cli/frame-allocations.sh .build/release/lineside
echo "== HMI: real browser (headless chromium) and hostile requests against lineside demo --hmi"
script hmi hmi python3 Tests/hmi/hmi_test.py .build/release/lineside

echo "== reject archive: 10,000 rejects under 50 MB; kill -9 during archive writes (20 times)"
script archive-bounds "archive bounds" Tests/cli/archive-bounds.sh .build/debug/archive-probe 10000 50
script archive-kill "archive kill test" Tests/cli/kill-during-archive.sh .build/release/lineside .build/debug/archive-probe 20

echo "== hostile input fuzz suite (seeded: models, images, configurations)"
script fuzz "fuzz" python3 Tests/fuzz/fuzz.py .build/release/lineside

if [ -d tools/tests ]; then
  echo "== python tools (pytest)"
  python3 -m pytest -q tools/tests 2>&1 | tee "$log" | tail -n 15; status=${PIPESTATUS[0]}
  count "pytest" "$status" "$(grep -oE "[0-9]+ passed" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)" \
        "$(grep -oE "[0-9]+ failed" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)"
fi

if [ -x Tests/rig/run-all.sh ]; then
  echo "== real-kernel rig (qemu: vivid, gpio-sim)"
  Tests/rig/run-all.sh 2>&1 | tee "$log"; status=${PIPESTATUS[0]}
  count "rig" "$status" "$(grep -cE "^PASS" "$log" || true)" "$(grep -cE "^FAIL" "$log" || true)"
fi

echo "== kernels built for aarch64 against x86_64 (Tests/kernels, qemu-aarch64-static)"
script kernels kernels Tests/kernels/agreement.sh

if [ -x Tests/image/run-all.sh ]; then
  echo "== board image (board/make-image.sh; systemd boots in qemu: Tests/image)"
  script image image Tests/image/run-all.sh
fi

echo "== total: $SECONDS s"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
