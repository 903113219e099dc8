#!/usr/bin/env bash
# kill -9 during archive writes, N times (default 20): after each kill the archive opens read-only
# with every listed record readable (`archive-probe verify`), `lineside rejects` lists it, and the
# model beside it still loads and scores (its bytes unchanged). The writer is killed at a random
# moment 1.5 to 4.5 s into a stream of rejects, so the kills land in record writes, index
# rewrites and evictions (a 2 MB budget keeps it evicting).
# Usage: Tests/cli/kill-during-archive.sh path/to/lineside path/to/archive-probe [N]
set -u
bin=${1:?usage: kill-during-archive.sh LINESIDE ARCHIVE_PROBE [N]}
probe=${2:?usage: kill-during-archive.sh LINESIDE ARCHIVE_PROBE [N]}
runs=${3:-20}
work=$(mktemp -d /tmp/lineside-killarchive-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" generate --out "$work/good" --good 8 >/dev/null
"$bin" generate --out "$work/probe" --good 1 --first 500 >/dev/null
model="$work/state/model.safetensors"
mkdir -p "$work/state"
"$bin" fit --images "$work/good" --model "$model" --holdout 0.25 --threads 1 >/dev/null || { echo "archive kill test: 0 passed, 1 failed (fit)"; exit 1; }
sum=$(sha256sum "$model" | cut -d' ' -f1)
passed=0 failed=0 midwrite=0
for i in $(seq 1 "$runs"); do
  "$probe" write "$work/state/rejects" 100000 2 >/dev/null 2>&1 &
  pid=$!
  delay_ms=$(( 1500 + RANDOM % 3000 ))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  ok=1
  "$probe" verify "$work/state/rejects" > "$work/verify" 2>&1 || { ok=0; echo "FAIL kill $i at ${delay_ms} ms: $(tail -3 "$work/verify" | tr '\n' '|')"; }
  "$bin" rejects --folder "$work/state/rejects" --last 1 > "$work/list" 2>&1 || { ok=0; echo "FAIL kill $i: lineside rejects: $(cat "$work/list")"; }
  "$bin" score --model "$model" "$work/probe/good_0500.png" >/dev/null 2>"$work/err" || { ok=0; echo "FAIL kill $i: model: $(cat "$work/err")"; }
  [ "$(sha256sum "$model" | cut -d' ' -f1)" = "$sum" ] || { ok=0; echo "FAIL kill $i: the model changed"; }
  if [ $ok -eq 1 ]; then passed=$((passed + 1)); echo "kill $i at ${delay_ms} ms: $(head -1 "$work/verify")"; else failed=$((failed + 1)); fi
  grep -qE " [1-9][0-9]* not yet in the index| [1-9][0-9]* temporaries" "$work/verify" && midwrite=$((midwrite + 1))
done
echo "kills that left records not yet indexed or a torn temporary (a kill inside a write): $midwrite of $runs"
echo "archive kill test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
