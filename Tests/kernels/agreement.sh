#!/usr/bin/env bash
# The PaDiM kernels and the preprocessing's resample agree on x86_64 and aarch64:
# Tests/kernels/kernel_check.c and resample_check.c built natively and for aarch64 (clang from the
# Swift toolchain against board/sysroot.sh's bookworm arm64 sysroot, static, each with its
# target's flags from Package.swift), the aarch64 ones run under qemu-aarch64-static; every
# distance (float16, int8, int8 read from the taps) and every resampled row compared.
# Usage: Tests/kernels/agreement.sh [SYSROOT]   (default: board/sysroot.sh arm64)
set -eu
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
source "$root/board/lib/common.sh"   # ensure_packages (set -euo pipefail)
ensure_packages qemu-user-static
clang=${CLANG:-/opt/swift/usr/bin/clang}
sysroot=${1:-$("$root/board/sysroot.sh" arm64)}
work=$(mktemp -d /tmp/lineside-kernels-XXXXXX); trap 'rm -rf "$work"' EXIT
src=("$root/Sources/CPadimKernels/kernels.c" "$here/kernel_check.c")
flags=(-O3 -ffp-contract=on -Wno-psabi -I"$root/Sources/CPadimKernels/include")
"$clang" "${flags[@]}" "${src[@]}" -lm -o "$work/x86"
"$clang" --target=aarch64-unknown-linux-gnu --sysroot="$sysroot" -fuse-ld=lld -static "${flags[@]}" "${src[@]}" -lm -o "$work/arm"
resample=("$root/Sources/CResample/resample.c" "$here/resample_check.c")
rflags=(-O3 -ffp-contract=off -Wno-psabi -I"$root/Sources/CResample/include")
"$clang" "${rflags[@]}" "${resample[@]}" -lm -o "$work/x86-resample"
"$clang" --target=aarch64-unknown-linux-gnu --sysroot="$sysroot" -fuse-ld=lld -static "${rflags[@]}" "${resample[@]}" -lm -o "$work/arm-resample"
{ "$work/x86"; "$work/x86-resample"; } >"$work/x86.txt"
{ qemu-aarch64-static "$work/arm"; qemu-aarch64-static "$work/arm-resample"; } >"$work/arm.txt"
python3 - "$work/x86.txt" "$work/arm.txt" <<'PY'
import sys
a = [l.split() for l in open(sys.argv[1])]; b = [l.split() for l in open(sys.argv[2])]
assert len(a) == len(b) and len(a) > 700, (len(a), len(b))
ok = True
for kind in ("f16bits", "read"):
    x = [l for l in a if l[0] == kind][0]; y = [l for l in b if l[0] == kind][0]
    print(f"{kind}: x86_64 {x[1]} aarch64 {y[1]} {'equal' if x == y else 'DIFFERENT'}"); ok &= x == y
for kind in ("f16", "i8", "i8taps"):
    xs = [float(l[2]) for l in a if l[0] == kind]; ys = [float(l[2]) for l in b if l[0] == kind]
    rel = max(abs(p - q) / p for p, q in zip(xs, ys)); same = sum(p == q for p, q in zip(xs, ys))
    print(f"{kind} distances: {len(xs)} patches, {same} bit-identical, largest relative difference {rel:.2e}")
    ok &= rel < 1e-5
for name, rows in (("x86_64", a), ("aarch64", b)):
    equal, total = [l for l in rows if l[0] == "taps-vs-gathered"][0][1:]
    print(f"i8 from the taps against i8 on the gathered features ({name}): {equal} of {total} bit-identical")
    ok &= equal == total
f16 = [float(l[2]) for l in a if l[0] == "f16"]; i8 = [float(l[2]) for l in a if l[0] == "i8"]
quantised = max(abs(p - q) / p for p, q in zip(f16, i8))
print(f"i8 against f16 distances (x86_64): largest relative difference {quantised:.2e}")
ok &= quantised < 0.01
padim_ok, ok = ok, True
for case in ("input", "view", "grey"):
    xs = [l[3] for l in a if l[0] == "resample" and l[1] == case]; ys = [l[3] for l in b if l[0] == "resample" and l[1] == case]
    same = sum(p == q for p, q in zip(xs, ys))
    print(f"resample {case}: {len(xs)} rows, {same} bit-identical")
    ok &= len(xs) > 200 and len(xs) == len(ys) and same == len(xs)
variants = [" ".join(l[1:]) for l in a + b if l[0] == "variant"]
print(f"resample variants: x86_64 {variants[0]}, aarch64 {variants[1]}")
passed = int(padim_ok) + int(ok)
print(f"kernels: {passed} passed, {2 - passed} failed")
sys.exit(0 if passed == 2 else 1)
PY
