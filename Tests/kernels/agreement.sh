#!/usr/bin/env bash
# The PaDiM kernels agree on x86_64 and aarch64: Tests/kernels/kernel_check.c built natively and
# for aarch64 (clang from the Swift toolchain against board/sysroot.sh's bookworm arm64 sysroot,
# static), the aarch64 one run under qemu-aarch64-static; every distance compared.
# Usage: Tests/kernels/agreement.sh [SYSROOT]   (default: board/sysroot.sh arm64)
set -eu
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
clang=${CLANG:-/opt/swift/usr/bin/clang}
sysroot=${1:-$("$root/board/sysroot.sh" arm64)}
work=$(mktemp -d /tmp/lineside-kernels-XXXXXX); trap 'rm -rf "$work"' EXIT
src=("$root/Sources/CPadimKernels/kernels.c" "$here/kernel_check.c")
flags=(-O3 -ffp-contract=fast -Wno-psabi -I"$root/Sources/CPadimKernels/include")
"$clang" "${flags[@]}" "${src[@]}" -lm -o "$work/x86"
"$clang" --target=aarch64-unknown-linux-gnu --sysroot="$sysroot" -fuse-ld=lld -static "${flags[@]}" "${src[@]}" -lm -o "$work/arm"
"$work/x86" >"$work/x86.txt"
qemu-aarch64-static "$work/arm" >"$work/arm.txt"
python3 - "$work/x86.txt" "$work/arm.txt" <<'PY'
import sys
a = [l.split() for l in open(sys.argv[1])]; b = [l.split() for l in open(sys.argv[2])]
assert len(a) == len(b) and len(a) > 700, (len(a), len(b))
ok = True
for kind in ("f16bits", "read"):
    x = [l for l in a if l[0] == kind][0]; y = [l for l in b if l[0] == kind][0]
    print(f"{kind}: x86_64 {x[1]} aarch64 {y[1]} {'equal' if x == y else 'DIFFERENT'}"); ok &= x == y
for kind in ("f16", "i8"):
    xs = [float(l[2]) for l in a if l[0] == kind]; ys = [float(l[2]) for l in b if l[0] == kind]
    rel = max(abs(p - q) / p for p, q in zip(xs, ys)); same = sum(p == q for p, q in zip(xs, ys))
    print(f"{kind} distances: {len(xs)} patches, {same} bit-identical, largest relative difference {rel:.2e}")
    ok &= rel < 1e-5
print("kernels: 1 passed, 0 failed" if ok else "kernels: 0 passed, 1 failed")
sys.exit(0 if ok else 1)
PY
