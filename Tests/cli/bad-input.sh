#!/usr/bin/env bash
# Bad input at the command line: every case must end with exit status 1 (or 2 for usage), exactly
# one line on stderr naming the file, and no crash. Usage: Tests/cli/bad-input.sh path/to/lineside
set -u
bin=${1:?usage: bad-input.sh LINESIDE_BINARY}
work=$(mktemp -d /tmp/lineside-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# expect NAME STATUS NEEDLE -- command...: exit status, one stderr line containing NEEDLE.
expect() {
  local name=$1 status=$2 needle=$3; shift 4
  "$@" >"$work/out" 2>"$work/err"
  local got=$? lines
  lines=$(wc -l <"$work/err")
  if [ "$got" -eq "$status" ] && [ "$lines" -le 1 ] && grep -qF -- "$needle" "$work/err" && ! grep -qiE 'crash|fatal error|backtrac' "$work/err"; then
    passed=$((passed + 1)); echo "ok   $name: $(cat "$work/err")"
  else
    failed=$((failed + 1)); echo "FAIL $name: status $got (want $status), $lines stderr lines, wanted '$needle':"; sed 's/^/     /' "$work/err" | head -5
  fi
}

mkdir -p "$work/good" "$work/mixed" "$work/empty" "$work/images"
"$bin" generate --out "$work/good" --good 12 >/dev/null || { echo "FAIL generate"; exit 1; }
"$bin" fit --images "$work/good" --model "$work/model.safetensors" --holdout 0.25 >/dev/null || { echo "FAIL fit"; exit 1; }
cp "$work/good/good_0000.png" "$work/images/ok.png"

# Model files.
head -c 100000 "$work/model.safetensors" >"$work/truncated.safetensors"
expect "truncated model" 1 "truncated.safetensors" -- "$bin" score --model "$work/truncated.safetensors" "$work/images/ok.png"
python3 - "$work/model.safetensors" "$work/flipped.safetensors" "$work/otherbackbone.safetensors" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
flipped = bytearray(data); flipped[-100] ^= 0x10
open(sys.argv[2], 'wb').write(flipped)
key = b'"backbone_sha256":"'
i = data.index(key) + len(key)
data[i:i+1] = b'0' if data[i:i+1] != b'0' else b'1'
open(sys.argv[3], 'wb').write(data)
PY
expect "corrupted model" 1 "checksum" -- "$bin" score --model "$work/flipped.safetensors" "$work/images/ok.png"
expect "model of another backbone" 1 "another backbone" -- "$bin" score --model "$work/otherbackbone.safetensors" "$work/images/ok.png"
expect "missing model" 1 "$work/none.safetensors: open failed" -- "$bin" score --model "$work/none.safetensors" "$work/images/ok.png"
: >"$work/empty.safetensors"
expect "empty model file" 1 "empty" -- "$bin" score --model "$work/empty.safetensors" "$work/images/ok.png"

# Images.
echo "not a picture" >"$work/images/notes.png"
expect "not an image" 1 "notes.png: not a PNG or JPEG image" -- "$bin" score --model "$work/model.safetensors" "$work/images/notes.png"
: >"$work/images/zero.png"
expect "zero-byte image" 1 "zero.png: file is empty" -- "$bin" score --model "$work/model.safetensors" "$work/images/zero.png"
python3 - "$work/images/huge.png" <<'PY'
import struct, sys, zlib
def chunk(kind, body):
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
ihdr = struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\0' * 100)) + chunk(b'IEND', b''))
PY
expect "huge image" 1 "huge.png: image is 100000x100000" -- "$bin" score --model "$work/model.safetensors" "$work/images/huge.png"
head -c 3000 "$work/good/good_0001.png" >"$work/images/cut.png"
expect "truncated image" 1 "cut.png: corrupt image" -- "$bin" score --model "$work/model.safetensors" "$work/images/cut.png"
expect "missing image" 1 "missing.png: cannot read" -- "$bin" score --model "$work/model.safetensors" "$work/images/missing.png"

# Fit folders.
expect "empty folder" 1 "no PNG or JPEG images" -- "$bin" fit --images "$work/empty" --model "$work/m2.safetensors"
expect "missing folder" 1 "no such directory" -- "$bin" fit --images "$work/nowhere" --model "$work/m2.safetensors"
cp "$work/images/notes.png" "$work/good/zz_notes.png"
expect "bad image inside a fit folder" 1 "zz_notes.png: not a PNG or JPEG image" -- "$bin" fit --images "$work/good" --model "$work/m3.safetensors"
[ ! -e "$work/m3.safetensors" ] && echo "ok   failed fit leaves no model file" && passed=$((passed + 1)) || { echo "FAIL failed fit left a model"; failed=$((failed + 1)); }
rm "$work/good/zz_notes.png"
expect "fit into a missing directory" 1 "/nonexistent-dir: write into (no such directory)" -- "$bin" fit --images "$work/good" --model /nonexistent-dir/m.safetensors

# Grey and RGB mixed: handled, not an error.
"$bin" generate --out "$work/mixed" --good 8 >/dev/null
python3 - "$work/mixed" <<'PY'
import struct, sys, zlib, os
# Add two 8-bit greyscale PNGs of another size (written by hand: no Pillow needed).
for k in range(2):
    w, h = 300, 200
    raw = b''.join(b'\0' + bytes(((x * 3 + y + k * 50) % 256) for x in range(w)) for y in range(h))
    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
    open(os.path.join(sys.argv[1], f'grey_{k}.png'), 'wb').write(png)
PY
if "$bin" fit --images "$work/mixed" --model "$work/mixed.safetensors" >/dev/null 2>"$work/err"; then
  passed=$((passed + 1)); echo "ok   grey and RGB images mixed in one fit"
else
  failed=$((failed + 1)); echo "FAIL mixed fit: $(cat "$work/err")"
fi

# Usage errors.
expect "unknown option" 2 "unknown option --bogus" -- "$bin" score --bogus
expect "unknown command" 2 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect "bad number" 2 "--holdout must be a number" -- "$bin" fit --images "$work/good" --model "$work/x" --holdout lots

echo "cli bad input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
