#!/usr/bin/env bash
# The per-frame path (preprocess, backbone, gather, scoring, anomaly map) allocates nothing, on one
# thread and on the shared pool's two: glibc's malloc trace (libc_malloc_debug.so, Debian's libc6)
# records every allocation of every thread while `lineside bench` runs 20 frames after warm-up.
# Usage: Tests/cli/frame-allocations.sh path/to/lineside
set -u
bin=${1:?usage: frame-allocations.sh LINESIDE_BINARY}
debug=$(ls /usr/lib/*-linux-gnu/libc_malloc_debug.so.0 /lib/*-linux-gnu/libc_malloc_debug.so.0 2>/dev/null | head -1)
if [ -z "$debug" ]; then echo "FAIL frame allocations: libc_malloc_debug.so.0 not found (glibc >= 2.34, package libc6)"; echo "frame-allocations: 0 passed, 1 failed"; exit 1; fi
work=$(mktemp -d /tmp/lineside-alloc-XXXXXX)
trap 'rm -rf "$work"' EXIT
LD_PRELOAD=$debug MALLOC_TRACE=$work/trace "$bin" bench --runs 5 --threads 1,2 >"$work/out" 2>&1
status=$?
passed=0 failed=0
for threads in 1 2; do
  line=$(awk -v t="threads $threads" '$0 == t {found = 1} found && /allocations in 20 frames/ {print; exit}' "$work/out")
  count=${line##*: }
  if [ "$status" -eq 0 ] && [ -n "$line" ] && [ "$count" = "0" ]; then
    passed=$((passed + 1)); echo "ok   $threads thread(s): $line"
  else
    failed=$((failed + 1)); echo "FAIL $threads thread(s): status $status, '${line:-no allocation line}'"; sed 's/^/     /' "$work/out" | tail -5
  fi
done
echo "frame-allocations: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
