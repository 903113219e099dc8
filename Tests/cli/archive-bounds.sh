#!/usr/bin/env bash
# The reject archive stays inside its byte budget: 10,000 rejected parts (pictures and all)
# written through RejectArchive under a 50 MB budget leave at most 50,000,000 bytes in the folder
# (records, index; checked every 1000 parts and at the end), and what is left reads back.
# Usage: Tests/cli/archive-bounds.sh path/to/archive-probe [COUNT] [MAX_MB]
set -u
probe=${1:?usage: archive-bounds.sh ARCHIVE_PROBE [COUNT] [MAX_MB]}
count=${2:-10000}
max_mb=${3:-50}
work=$(mktemp -d /tmp/lineside-archive-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
"$probe" write "$work/rejects" "$count" "$max_mb" | tee "$work/out"
budget=$((max_mb * 1000000))
largest=$(grep -oE "[0-9]+ (bytes )?on disk" "$work/out" | grep -oE "^[0-9]+" | sort -n | tail -1)
check "all $count written" "grep -q 'wrote $count records' '$work/out'"
check "folder never above $budget bytes (largest seen: $largest)" "[ '$largest' -le $budget ]"
du_bytes=$(du -sb "$work/rejects" | cut -f1)
check "du -sb at the end $du_bytes <= $budget" "[ $du_bytes -le $budget ]"
"$probe" verify "$work/rejects" | tee "$work/verify"
check "every kept record reads back" "grep -q 'unreadable 0, problems 0' '$work/verify'"
echo "archive bounds: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
