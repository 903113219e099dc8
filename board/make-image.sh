#!/usr/bin/env bash
# Builds a flashable Raspberry Pi 4 image of lineside from Debian's archive only:
#   board/make-image.sh [--binary FILE] [--out DIR] [--version V] [--no-compress]
# Result in DIR (default .build-image/):
#   lineside-<version>-arm64.img      raw image: MBR, FAT boot partition (RASPIFIRM), ext4 root (RASPIROOT)
#   lineside-<version>-arm64.img.xz   the same, compressed (xz); .img.bmap for bmaptool
#   lineside-<version>-arm64.manifest the packages and versions in the image (also /usr/local/share/lineside/image-manifest.txt)
#   lineside-<version>-arm64.sha256   checksums of the files above
# Steps:
#  1. mmdebstrap: bookworm arm64, mirrors read from this machine's apt configuration (main and
#     non-free-firmware, for raspi-firmware), foreign maintainer scripts run through
#     qemu-user-static (binfmt_misc mounted and qemu-aarch64 registered here when absent); the
#     downloaded .debs are kept in $RIG_CACHE/image/debs and reused by the next build.
#  2. Inside the root file system: board/install.sh runs as it would on a board (user lineside in
#     video and gpio, binary, /etc/lineside, udev rule, unit enabled), then the first-boot unit
#     (board/image/), fstab, hostname, the board configuration (lineside.conf.example-rpi).
#     raspi-firmware's kernel hook fills /boot/firmware: firmware, DTBs, kernel, initrd,
#     config.txt, cmdline.txt.
#  3. No loop devices: /boot/firmware goes into a FAT32 file (mkfs.vfat + mcopy), the rest into an
#     ext4 file (mkfs.ext4 -d), both written with dd at their offsets of an sfdisk'ed image file.
set -euo pipefail
BOARD_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(cd "$BOARD_DIR/.." && pwd)
source "$BOARD_DIR/lib/common.sh"

BINARY="$REPO_DIR/.build-aarch64/aarch64-unknown-linux-gnu/release/lineside-stripped"
OUT="$REPO_DIR/.build-image"
VERSION=""
COMPRESS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY=$2; shift 2;;
        --out) OUT=$2; shift 2;;
        --version) VERSION=$2; shift 2;;
        --no-compress) COMPRESS=0; shift;;
        *) die "usage: $0 [--binary FILE] [--out DIR] [--version V] [--no-compress]";;
    esac
done
[ -x "$BINARY" ] || die "no lineside binary at $BINARY (board/build-aarch64.sh . --product lineside)"
readelf -h "$BINARY" | grep -q 'Machine:.*AArch64' || die "$BINARY is not an aarch64 binary"
[ -n "$VERSION" ] || VERSION=$(git -C "$REPO_DIR" describe --tags --always --dirty 2>/dev/null || echo unknown)
NAME="lineside-$VERSION-arm64"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
T0=$(date +%s)

ensure_packages mmdebstrap qemu-user-static arch-test debian-archive-keyring dosfstools mtools fdisk \
    e2fsprogs xz-utils bmap-tools

# --- binfmt_misc: foreign (arm64) maintainer scripts run through qemu-aarch64-static -------------
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    log "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    log "registering qemu-aarch64 with binfmt_misc"
    conf=/usr/lib/binfmt.d/qemu-aarch64.conf
    [ -f "$conf" ] || die "$conf missing (qemu-user-static)"
    cat "$conf" > /proc/sys/fs/binfmt_misc/register
fi

# --- 1. root file system -------------------------------------------------------------------------
# The package set: systemd as init, the kernel and its initramfs, the Raspberry Pi boot firmware,
# what lineside links, what the first boot needs, and a few tools to look at a board.
PACKAGES=(systemd systemd-sysv udev dbus kmod procps
          linux-image-arm64 initramfs-tools zstd raspi-firmware
          e2fsprogs dosfstools fdisk cloud-guest-utils
          libxnnpack0 libpthreadpool0 libv4l-0 libgpiod2 libpng16-16 libjpeg62-turbo zlib1g
          libmosquitto1 libmicrohttpd12 libopencv-core406 libopencv-imgproc406 libopencv-video406
          gpiod v4l-utils)
CACHE="$RIG_CACHE/image"
DEBS="$CACHE/debs"
mkdir -p "$DEBS"
WORK="$OUT/work"
ROOT="$WORK/rootfs"
rm -rf "$WORK"; mkdir -p "$WORK"
SOURCES=()
while read -r uri suite; do SOURCES+=("deb $uri $suite main non-free-firmware"); done < <(bookworm_sources)
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git -C "$REPO_DIR" log -1 --format=%ct 2>/dev/null || date +%s)

# What the customize hook gets: install.sh and what it installs, the binary, the image's own files.
STAGE="$WORK/stage"
mkdir -p "$STAGE/board"
cp "$BOARD_DIR"/{install.sh,lineside.service,99-lineside-gpio.rules,lineside.conf.defaults,lineside.conf.example-rpi,README.md,gpio.md} "$STAGE/board/"
install -m 0755 "$BINARY" "$STAGE/board/lineside"
cp -r "$BOARD_DIR/image" "$STAGE/image"

# The base root file system (the packages, kernel, initrd, firmware) is cached as a tarball, keyed by
# the package list, the mmdebstrap call, the initramfs settings and the archive's InRelease files
# (refreshed daily by private_apt):
# a warm build only re-runs the customization (seconds) instead of mmdebstrap (minutes, most of it
# mkinitramfs under emulation). update-initramfs is diverted while the packages are installed (each
# package with an initramfs hook would rebuild the initrd again) and run once at the end.
private_apt_cache bookworm arm64 policy > /dev/null
base_inputs() {  # what the base depends on: packages, the mmdebstrap call, initramfs settings, the archive
    printf '%s\n' "${PACKAGES[@]}"
    sed -n '/^    mmdebstrap --mode=root/,/^        bookworm /p' "$BOARD_DIR/make-image.sh"
    cat "$BOARD_DIR/image/initramfs-modules.conf" "$BOARD_DIR/image/initramfs-hook"
    cat "$RIG_CACHE"/apt/bookworm-arm64/lists/*InRelease
}
KEY=$(base_inputs | sha256sum | cut -c1-16)
BASE="$CACHE/base-$KEY.tar"
T1=$(date +%s)
if [ ! -f "$BASE" ]; then
    log "mmdebstrap bookworm arm64 (${#PACKAGES[@]} packages + their dependencies; .deb cache $DEBS)"
    # shellcheck disable=SC2016  # $1 is the hook's argument (the root directory), expanded by mmdebstrap
    mmdebstrap --mode=root --arch=arm64 --variant=minbase \
        --include="$(IFS=,; echo "${PACKAGES[*]}")" \
        --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Languages "none"' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --skip=essential/unlink \
        --setup-hook='mkdir -p "$1/var/cache/apt/archives/"' \
        --setup-hook="sync-in '$DEBS' /var/cache/apt/archives/" \
        --essential-hook='mkdir -p "$1/boot/firmware"' \
        --essential-hook='chroot "$1" dpkg-divert --quiet --local --divert /usr/sbin/update-initramfs.real --rename --add /usr/sbin/update-initramfs' \
        --essential-hook='printf "#!/bin/sh\necho update-initramfs: deferred to the end of the image build\n" > "$1/usr/sbin/update-initramfs"; chmod 0755 "$1/usr/sbin/update-initramfs"' \
        --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"' \
        --essential-hook="copy-in '$BOARD_DIR/image/initramfs-modules.conf' /etc/initramfs-tools/conf.d/" \
        --essential-hook="copy-in '$BOARD_DIR/image/initramfs-hook' /etc/initramfs-tools/hooks/" \
        --customize-hook="sync-out /var/cache/apt/archives '$DEBS'" \
        --customize-hook='rm -f "$1/usr/sbin/update-initramfs"; chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs' \
        --customize-hook='cd "$1/etc/initramfs-tools" && mv conf.d/initramfs-modules.conf conf.d/lineside && mv hooks/initramfs-hook hooks/lineside-modules' \
        --customize-hook='chroot "$1" update-initramfs -c -k all' \
        bookworm "$CACHE/partial-base-$KEY.tar" "${SOURCES[@]}" > "$WORK/mmdebstrap.log" 2>&1 \
        || { tail -n 40 "$WORK/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $WORK/mmdebstrap.log)"; }
    rm -f "$DEBS"/lock; rm -rf "$DEBS/partial"
    find "$CACHE" -maxdepth 1 -name 'base-*.tar' -delete     # older bases (another key)
    mv "$CACHE/partial-base-$KEY.tar" "$BASE"
    BASE_STATE=cold
else
    BASE_STATE="warm (cached $(basename "$BASE"))"
fi
T1B=$(date +%s)
log "base root file system: $BASE_STATE, $((T1B - T1)) s"

# Customization inside the root file system (a chroot; arm64 binaries through qemu-user).
mkdir -p "$ROOT"
tar -C "$ROOT" --numeric-owner --xattrs --xattrs-include='*' -xpf "$BASE"
cp -a "$STAGE" "$ROOT/tmp/stage"
cleanup_mounts() { for m in dev/pts dev sys proc; do mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m"; done; return 0; }
trap cleanup_mounts EXIT
mount -t proc proc "$ROOT/proc"; mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"; mount --bind /dev/pts "$ROOT/dev/pts"
chroot "$ROOT" /bin/bash /tmp/stage/image/customize.sh > "$WORK/customize.log" 2>&1 \
    || { cleanup_mounts; tail -n 30 "$WORK/customize.log" >&2; die "customization failed (log: $WORK/customize.log)"; }
cleanup_mounts; trap - EXIT
rm -rf "$ROOT/tmp/stage"
sed 's/^/  /' "$WORK/customize.log" >&2
T2=$(date +%s)
log "root file system ready in $((T2 - T1)) s: $(du -sh "$ROOT" | cut -f1)"

# The image's apt: the mirrors this machine's apt uses, no build-time options left behind.
rm -f "$ROOT/etc/apt/apt.conf.d/99mmdebstrap" "$ROOT/etc/apt/sources.list"
{ for s in "${SOURCES[@]}"; do read -r _ uri suite _ <<<"$s"
      printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main non-free-firmware\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' "$uri" "$suite"
  done; } > "$ROOT/etc/apt/sources.list.d/debian.sources"

# --- manifest: packages and versions, in the image and beside it --------------------------------
MANIFEST="$OUT/$NAME.manifest"
{
    echo "# lineside image $NAME"
    echo "# lineside: $(sha256sum "$BINARY" | cut -d' ' -f1)  $(basename "$BINARY") (git $(git -C "$REPO_DIR" rev-parse HEAD 2>/dev/null || echo unknown))"
    echo "# kernel: $(ls "$ROOT/lib/modules")"
    echo "# suite: bookworm (main, non-free-firmware), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    echo "# package version architecture"
    # shellcheck disable=SC2016  # dpkg-query's format, not shell variables
    chroot "$ROOT" dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' | LC_ALL=C sort
} > "$MANIFEST"
install -D -m 0644 "$MANIFEST" "$ROOT/usr/local/share/lineside/image-manifest.txt"

# --- 2. partitions ------------------------------------------------------------------------------
{ [ -f "$ROOT/boot/firmware/config.txt" ] && [ -f "$ROOT/boot/firmware/cmdline.txt" ]; } \
    || die "raspi-firmware did not write /boot/firmware/config.txt and cmdline.txt"
BOOT_START_MIB=4; BOOT_MIB=256
BOOT="$WORK/boot.vfat"; ROOTFS="$WORK/root.ext4"
rm -f "$BOOT"
mkfs.vfat -F 32 -n RASPIFIRM -i 4c534944 -C "$BOOT" $((BOOT_MIB * 1024)) > /dev/null
MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$BOOT" "$ROOT"/boot/firmware/* ::/
rm -rf "${ROOT:?}"/boot/firmware/*
ROOT_MIB=$(( $(du -sm "$ROOT" | cut -f1) * 130 / 100 + 256 ))
mkfs.ext4 -q -F -L RASPIROOT -U clear -E root_owner=0:0 -d "$ROOT" "$ROOTFS" "${ROOT_MIB}M" \
    || die "mkfs.ext4 -d failed"
IMG="$OUT/$NAME.img"
ROOT_START_MIB=$((BOOT_START_MIB + BOOT_MIB))
rm -f "$IMG" "$IMG.xz" "$IMG.bmap"
truncate -s $(( (ROOT_START_MIB + ROOT_MIB) * 1024 * 1024 )) "$IMG"
sfdisk --quiet "$IMG" <<SFDISK
label: dos
label-id: 0x4c534944
unit: sectors
start=$((BOOT_START_MIB * 2048)), size=$((BOOT_MIB * 2048)), type=c, bootable
start=$((ROOT_START_MIB * 2048)), size=$((ROOT_MIB * 2048)), type=83
SFDISK
dd if="$BOOT" of="$IMG" bs=1M seek="$BOOT_START_MIB" conv=notrunc,sparse status=none
dd if="$ROOTFS" of="$IMG" bs=1M seek="$ROOT_START_MIB" conv=notrunc,sparse status=none
T3=$(date +%s)
log "image $IMG: $(( $(stat -c %s "$IMG") / 1024 / 1024 )) MiB ($(du -m "$IMG" | cut -f1) MiB allocated) in $((T3 - T2)) s"

# --- 3. compressed copy, bmap, checksums ----------------------------------------------------------
if [ "$COMPRESS" = 1 ]; then
    bmaptool -q create -o "$IMG.bmap" "$IMG"
    # -3: 312 s, 175 MiB here; -6: 462 s, 156 MiB (2 shared cores)
    nice xz -T2 -3 -k -f "$IMG"
fi
T4=$(date +%s)
(cd "$OUT" && sha256sum "$NAME".img* "$NAME.manifest" > "$NAME.sha256")
rm -f "$BOOT" "$ROOTFS"
rm -rf "$ROOT"
echo "image: $IMG"
echo "image raw size: $(stat -c %s "$IMG") bytes ($(( $(stat -c %s "$IMG") / 1024 / 1024 )) MiB)"
[ "$COMPRESS" = 1 ] && echo "image compressed size: $(stat -c %s "$IMG.xz") bytes ($(( $(stat -c %s "$IMG.xz") / 1024 / 1024 )) MiB, xz)"
echo "image packages: $(grep -vc '^#' "$MANIFEST") (manifest $MANIFEST)"
echo "image times: base rootfs $((T1B - T1)) s ($BASE_STATE), customization $((T2 - T1B)) s, partitions $((T3 - T2)) s, compression $((T4 - T3)) s, total $((T4 - T0)) s"
