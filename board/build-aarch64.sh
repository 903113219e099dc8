#!/usr/bin/env bash
# Cross-builds a Swift package for aarch64 Linux (Debian bookworm boards) on an x86_64 host.
#   board/build-aarch64.sh [PACKAGE_DIR] [extra swift build args...]
# Result: PACKAGE_DIR/.build-aarch64/aarch64-unknown-linux-gnu/release/<products>
#
# Steps (each cached under $LINESIDE_RIG_CACHE, default /var/cache/lineside-rig):
#  1. bookworm arm64 sysroot with the -dev packages lineside links (board/sysroot.sh arm64).
#  2. Debian's `swiftlang` arm64 package (sid; bookworm has none) through a private apt root.
#     Only its static runtime (usr/libexec/swift/lib/swift_static) is kept; compiled .swiftmodule
#     files are deleted, leaving the .swiftinterface files, so the host Swift rebuilds Swift, Glibc,
#     _Concurrency, Synchronization... itself; modules shipped without an interface (Foundation,
#     Dispatch, ...) are removed: Foundation is not available on this route. The clang resource
#     headers point at the host toolchain's own.
#  3. glibc238-compat.o: the few glibc 2.38 symbols that runtime references (bookworm has 2.36).
#  4. A Swift SDK bundle (artifactbundle: info.json, swift-sdk.json, toolset.json).
#  5. swift build -c release --swift-sdk lineside-aarch64 --static-swift-stdlib
#     (static Swift runtime: the shared one needs glibc 2.38). Debian C libraries stay dynamic.
source "$(dirname "$0")/lib/common.sh"
BOARD_DIR=$(cd "$(dirname "$0")" && pwd)

PKG_DIR=$(cd "${1:-.}" && pwd); shift || true
SWIFTLANG_SUITE="${LINESIDE_SWIFTLANG_SUITE:-sid}"
SWIFT_BIN=$(dirname "$(realpath "$(command -v swift)")")
HOST_CLANG_RESOURCE=$("$SWIFT_BIN/clang" -print-resource-dir)
AARCH64="$RIG_CACHE/aarch64"
T0=$(date +%s)

# 1. sysroot
SYSROOT=$("$BOARD_DIR/sysroot.sh" arm64)
T1=$(date +%s); log "sysroot ready ($((T1-T0)) s): $SYSROOT"

# 2. Swift runtime from Debian's swiftlang arm64
DEB=$(fetch_deb "$SWIFTLANG_SUITE" arm64 swiftlang)
RUNTIME="$AARCH64/swift-runtime/$(basename "$DEB" .deb)"
if [ ! -f "$RUNTIME/.complete" ]; then
    log "preparing aarch64 Swift runtime from $(basename "$DEB")"
    rm -rf "$RUNTIME"; mkdir -p "$RUNTIME"
    dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$RUNTIME" --wildcards './usr/libexec/swift/lib/swift_static/*'
    STATIC="$RUNTIME/usr/libexec/swift/lib/swift_static"
    # Keep .swiftinterface, drop compiled modules (built by another compiler version).
    find "$STATIC" -name '*.swiftmodule' -type d | while read -r mod; do
        if ls "$mod"/*.swiftinterface >/dev/null 2>&1; then
            find "$mod" -name '*.swiftmodule' -type f -delete
        else
            rm -rf "$mod"
        fi
    done
    find "$STATIC" -name '*.swiftmodule' -type f -delete      # e.g. linux/aarch64/Dispatch.swiftmodule
    rm -rf "$STATIC/linux/"*Foundation* "$STATIC/linux/libFoundation"*.a
    ln -sfn "$HOST_CLANG_RESOURCE" "$STATIC/clang"
    ln -sfn "$STATIC" "$RUNTIME/swift_static"
    touch "$RUNTIME/.complete"
fi
STATIC="$RUNTIME/swift_static"

# 3. glibc 2.38 compatibility object
COMPAT="$AARCH64/glibc238-compat.o"
if [ ! -f "$COMPAT" ] || [ "$BOARD_DIR/glibc238-compat.c" -nt "$COMPAT" ]; then
    "$SWIFT_BIN/clang" --target=aarch64-unknown-linux-gnu --sysroot="$SYSROOT" -O2 -fPIC \
        -c "$BOARD_DIR/glibc238-compat.c" -o "$COMPAT"
fi

# 4. Swift SDK bundle
SDKS="$AARCH64/swift-sdks"
BUNDLE="$SDKS/lineside-aarch64.artifactbundle"
rm -rf "$BUNDLE"; mkdir -p "$BUNDLE/sdk"
ln -sfn "$SYSROOT" "$BUNDLE/sdk/sysroot"
# The driver links swiftrt.o and the static libraries from <sysroot>/usr/lib/swift_static.
ln -sfn "$(realpath --relative-to="$SYSROOT/usr/lib" "$(realpath "$STATIC")")" "$SYSROOT/usr/lib/swift_static"
cat > "$BUNDLE/info.json" <<JSON
{
  "schemaVersion": "1.0",
  "artifacts": {
    "lineside-aarch64": {
      "type": "swiftSDK",
      "version": "1",
      "variants": [ { "path": "sdk", "supportedTriples": ["x86_64-unknown-linux-gnu"] } ]
    }
  }
}
JSON
cat > "$BUNDLE/sdk/swift-sdk.json" <<JSON
{
  "schemaVersion": "4.0",
  "targetTriples": {
    "aarch64-unknown-linux-gnu": {
      "sdkRootPath": "sysroot",
      "swiftResourcesPath": "sysroot/usr/lib/swift_static",
      "swiftStaticResourcesPath": "sysroot/usr/lib/swift_static",
      "toolsetPaths": ["toolset.json"]
    }
  }
}
JSON
cat > "$BUNDLE/sdk/toolset.json" <<JSON
{
  "schemaVersion": "1.0",
  "rootPath": "$SWIFT_BIN",
  "swiftCompiler": { "extraCLIOptions": ["-use-ld=lld", "-Xlinker", "$COMPAT"] },
  "linker": { "path": "ld.lld" }
}
JSON
T2=$(date +%s); log "Swift SDK ready ($((T2-T1)) s): $BUNDLE"

# 5. build
log "swift build (aarch64, release, static Swift runtime) in $PKG_DIR"
cd "$PKG_DIR" || die "cannot enter $PKG_DIR"
swift build -c release -j 2 --scratch-path .build-aarch64 \
    --swift-sdks-path "$SDKS" --swift-sdk lineside-aarch64 --static-swift-stdlib "$@"
T3=$(date +%s); log "cross-build done ($((T3-T2)) s; total $((T3-T0)) s)"
OUT_DIR="$PKG_DIR/.build-aarch64/aarch64-unknown-linux-gnu/release"
# What a board gets: the same binary without debug information (board/install.sh takes this one).
if [ -x "$OUT_DIR/lineside" ]; then
    "$SWIFT_BIN/llvm-objcopy" --strip-all "$OUT_DIR/lineside" "$OUT_DIR/lineside-stripped"
    log "stripped: $OUT_DIR/lineside-stripped ($(stat -c %s "$OUT_DIR/lineside-stripped") bytes; with debug info $(stat -c %s "$OUT_DIR/lineside"))"
fi
echo "$OUT_DIR"
