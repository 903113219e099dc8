#!/usr/bin/env bash
# Power loss or kill at any moment of a fit or its save never leaves the board without a loadable
# model: `lineside fit` over an existing model is killed with SIGKILL at random moments (half of
# them inside the last third of the run, where the model is written), N times; after every kill
# the model file must load and score (`lineside score` exits 0), and no temporary file may be
# mistaken for a model. Usage: Tests/cli/kill-during-fit.sh path/to/lineside [N]
set -u
bin=${1:?usage: kill-during-fit.sh LINESIDE_BINARY [N]}
runs=${2:-50}
work=$(mktemp -d /tmp/lineside-kill-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" generate --out "$work/good" --good 8 >/dev/null
"$bin" generate --out "$work/probe" --good 1 --first 500 >/dev/null
model="$work/model.safetensors"
"$bin" fit --images "$work/good" --model "$model" --holdout 0.25 --threads 1 >/dev/null || { echo "kill test: 0 passed, 1 failed (first fit)"; exit 1; }

# How long a whole fit takes here, to spread the kill times over it.
t0=$(date +%s%N)
"$bin" fit --images "$work/good" --model "$model" --holdout 0.25 --threads 1 >/dev/null
duration_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "a fit takes ${duration_ms} ms here; killing ${runs} fits at random moments"

passed=0 failed=0 completed=0
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 0 ]; then
    delay_ms=$(( duration_ms * 2 / 3 + RANDOM % (duration_ms / 3 + 1) ))  # the save phase
  else
    delay_ms=$(( RANDOM % (duration_ms + 1) ))
  fi
  "$bin" fit --images "$work/good" --model "$model" --holdout 0.25 --threads 1 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then :; else completed=$((completed + 1)); fi
  wait "$pid" 2>/dev/null
  if "$bin" score --model "$model" "$work/probe/good_0500.png" >/dev/null 2>"$work/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL after a kill at ${delay_ms} ms: $(cat "$work/err")"
  fi
done
leftovers=$(ls -A "$work" | grep -c '\.tmp-' || true)
echo "kills: ${runs} ($completed fits had already finished), model loadable after each: $passed, temporary files left by killed saves: $leftovers (never loaded)"
echo "kill test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
