#!/usr/bin/env bash
# Creates (once, cached) a Debian bookworm arm64 sysroot for cross-building and for the aarch64
# rig's shared libraries and tools, and prints its path.
#   board/sysroot-arm64.sh            -> prints $LINESIDE_RIG_CACHE/aarch64/sysroot
# mmdebstrap --variant=extract unpacks the packages (with their dependencies) without running
# maintainer scripts, so no binfmt/qemu is needed. Absolute symlinks are then made relative:
# otherwise a linker using --sysroot follows them into the host's /usr/lib (or silently picks a
# static libm.a next to a dangling libm.so).
source "$(dirname "$0")/lib/common.sh"

PACKAGES=(libc6-dev libstdc++-12-dev libgcc-12-dev linux-libc-dev
          libv4l-dev libgpiod-dev libxnnpack-dev libpthreadpool-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev
          v4l-utils gpiod busybox-static)
SYSROOT="$RIG_CACHE/aarch64/sysroot"
KEY=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)

if [ "$(cat "$SYSROOT/.lineside-sysroot" 2>/dev/null)" != "$KEY" ]; then
    command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >&2
    log "creating bookworm arm64 sysroot in $SYSROOT"
    rm -rf "$SYSROOT"; mkdir -p "$(dirname "$SYSROOT")"
    mmdebstrap --quiet --variant=extract --architectures=arm64 \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="$(IFS=,; echo "${PACKAGES[*]}")" \
        bookworm "$SYSROOT" "$(debian_mirror)" >&2 || die "mmdebstrap failed"
    # Absolute symlinks -> relative ones inside the sysroot.
    find "$SYSROOT" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
        target=$(readlink "$link")
        case "$target" in /dev/*|/proc/*) continue;; esac
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$SYSROOT$target")" "$link"
    done
    echo "$KEY" > "$SYSROOT/.lineside-sysroot"
fi
echo "$SYSROOT"
