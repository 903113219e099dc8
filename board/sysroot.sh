#!/usr/bin/env bash
# Creates (once, cached) a Debian bookworm sysroot for one architecture and prints its path:
#   board/sysroot.sh arm64   -> $LINESIDE_RIG_CACHE/aarch64/sysroot (cross-build + aarch64 rig)
#   board/sysroot.sh amd64   -> $LINESIDE_RIG_CACHE/x86_64/sysroot  (x86_64 rig: tools and libs)
# It holds the -dev packages lineside links, plus v4l-utils, gpiod and busybox-static for the rig.
# mmdebstrap --variant=extract unpacks the packages (with their dependencies) without running
# maintainer scripts, so no binfmt/qemu is needed. Absolute symlinks are then made relative:
# otherwise a linker using --sysroot follows them into the host's /usr/lib (or silently picks a
# static libm.a next to a dangling libm.so).
source "$(dirname "$0")/lib/common.sh"

PACKAGES=(libc6-dev libstdc++-12-dev libgcc-12-dev linux-libc-dev
          libv4l-dev libgpiod-dev libxnnpack-dev libpthreadpool-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev
          libmosquitto-dev libmicrohttpd-dev libopencv-core-dev libopencv-imgproc-dev libopencv-video-dev
          v4l-utils gpiod busybox-static)
ARCH="${1:?usage: sysroot.sh arm64|amd64}"
case "$ARCH" in arm64) SYSROOT="$RIG_CACHE/aarch64/sysroot";; amd64) SYSROOT="$RIG_CACHE/x86_64/sysroot";;
                *) die "unknown architecture $ARCH";; esac
KEY=$(printf '%s\n' "$ARCH" "${PACKAGES[@]}" "$(bookworm_sources)" | sha256sum | cut -c1-16)

if [ "$(cat "$SYSROOT/.lineside-sysroot" 2>/dev/null)" != "$KEY" ]; then
    ensure_packages mmdebstrap
    log "creating bookworm $ARCH sysroot in $SYSROOT"
    mirrors=(); while read -r uri suite; do mirrors+=("deb $uri $suite main"); done < <(bookworm_sources)
    rm -rf "$SYSROOT"; mkdir -p "$(dirname "$SYSROOT")"
    mmdebstrap --quiet --variant=extract --architectures="$ARCH" \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="$(IFS=,; echo "${PACKAGES[*]}")" \
        bookworm "$SYSROOT" "${mirrors[@]}" >&2 || die "mmdebstrap failed"
    # Absolute symlinks -> relative ones inside the sysroot.
    find "$SYSROOT" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
        target=$(readlink "$link")
        case "$target" in /dev/*|/proc/*) continue;; esac
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$SYSROOT$target")" "$link"
    done
    echo "$KEY" > "$SYSROOT/.lineside-sysroot"
fi
# Libraries Debian provides through update-alternatives (libblas.so.3 and liblapack.so.3, which
# OpenCV's core needs) get their link from a maintainer script, which --variant=extract does not
# run: make the link to the reference implementation, as the script would (also on a cached sysroot).
for lib in "$SYSROOT"/usr/lib/*-linux-gnu/blas/libblas.so.3 "$SYSROOT"/usr/lib/*-linux-gnu/lapack/liblapack.so.3; do
    [ -e "$lib" ] || continue
    link="$(dirname "$(dirname "$lib")")/$(basename "$lib")"
    [ -e "$link" ] || ln -sfn "$(basename "$(dirname "$lib")")/$(basename "$lib")" "$link"
done
echo "$SYSROOT"
