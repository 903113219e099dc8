# shellcheck shell=bash
# Kernel side of the rig (sourced by Tests/rig/run.sh after board/lib/common.sh).
# rig_kernel ARCH (amd64|arm64) prepares, cached under $RIG_CACHE/<arch>/kernel-<version>/:
#   image/boot/vmlinuz-*, image/lib/modules/<kver>/   Debian bookworm's linux-image-<arch>
#   vmlinux (amd64)                                   uncompressed ELF, booted directly via PVH
#   gpio-sim/gpio-sim.ko                              built out of tree against linux-headers
# and sets KVER, KDIR (the cache folder), KERNEL (file to boot), GPIO_SIM_KO.

RIG_DIR=${RIG_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Kernel package version and ABI name (e.g. 6.1.0-57-amd64) of bookworm's linux-image-ARCH.
kernel_abi() {
    private_apt_cache bookworm "$1" depends linux-image-"$1" 2>/dev/null \
        | awk '/Depends: linux-image-/ { sub("linux-image-", "", $2); print $2; exit }'
}

# The 6.1 source files gpio-sim needs, from linux-source-6.1 (same version as the kernel).
kernel_source_files() {
    local src="$RIG_CACHE/linux-source/$1"
    if [ ! -f "$src/.complete" ]; then
        local deb; deb=$(fetch_deb bookworm amd64 linux-source-6.1)
        case "$deb" in *"_$1_all.deb") ;; *) die "linux-source-6.1 $deb does not match kernel version $1";; esac
        log "extracting gpio-sim sources from $(basename "$deb")"
        rm -rf "$src"; mkdir -p "$src"
        dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz \
            | tar -xJ -C "$src" --strip-components=1 linux-source-6.1/drivers/gpio/gpio-sim.c \
                linux-source-6.1/drivers/gpio/gpiolib.h linux-source-6.1/kernel/irq/irq_sim.c \
                linux-source-6.1/scripts/extract-vmlinux
        touch "$src/.complete"
    fi
    echo "$src"
}

rig_kernel() {
    local arch=$1 abi version
    abi=$(kernel_abi "$arch"); [ -n "$abi" ] || die "no linux-image-$arch in bookworm"
    version=$(private_apt_cache bookworm "$arch" show "linux-image-$abi" 2>/dev/null | awk '/^Version:/{print $2; exit}')
    KVER=$abi
    KDIR="$RIG_CACHE/$(rig_arch_dir "$arch")/kernel-$version"
    mkdir -p "$KDIR"
    if [ ! -f "$KDIR/image/.complete" ]; then
        log "unpacking linux-image-$abi ($version)"
        rm -rf "$KDIR/image"; mkdir -p "$KDIR/image"
        dpkg-deb -x "$(fetch_deb bookworm "$arch" "linux-image-$abi")" "$KDIR/image"
        # modules.dep is made by the package's postinst; make it here (depmod reads any arch).
        depmod -b "$KDIR/image" "$abi" || die "depmod failed for $abi"
        touch "$KDIR/image/.complete"
    fi
    local src; src=$(kernel_source_files "$version")
    if [ "$arch" = amd64 ]; then
        if [ ! -f "$KDIR/vmlinux" ]; then
            sh "$src/scripts/extract-vmlinux" "$KDIR/image/boot/vmlinuz-$abi" > "$KDIR/vmlinux.tmp" \
                || die "extract-vmlinux failed"
            mv "$KDIR/vmlinux.tmp" "$KDIR/vmlinux"
        fi
        KERNEL="$KDIR/vmlinux"
    else
        KERNEL="$KDIR/image/boot/vmlinuz-$abi"
    fi
    # linux-headers (+ -common, + the amd64 linux-kbuild whose host tools also serve arm64).
    local hdr="$KDIR/headers"
    if [ ! -f "$hdr/.complete" ]; then
        log "unpacking linux-headers-$abi"
        rm -rf "$hdr"; mkdir -p "$hdr"
        dpkg-deb -x "$(fetch_deb bookworm "$arch" "linux-headers-$abi")" "$hdr"
        dpkg-deb -x "$(fetch_deb bookworm "$arch" "linux-headers-${abi%-*}-common")" "$hdr"
        dpkg-deb -x "$(fetch_deb bookworm amd64 linux-kbuild-6.1)" "$hdr"
        # The arch Makefile includes the -common one by absolute path.
        sed -i "s|include /usr/src/|include $hdr/usr/src/|" "$hdr/usr/src/linux-headers-$abi/Makefile"
        touch "$hdr/.complete"
    fi
    GPIO_SIM_KO="$KDIR/gpio-sim/gpio-sim.ko"
    if [ ! -f "$GPIO_SIM_KO" ]; then
        log "building gpio-sim.ko for $abi"
        local b="$KDIR/gpio-sim"; rm -rf "$b"; mkdir -p "$b"
        cp "$RIG_DIR/gpio-sim/Kbuild" "$b/"
        cp "$src/drivers/gpio/gpio-sim.c" "$b/gpio-sim-core.c"
        cp "$src/drivers/gpio/gpiolib.h" "$b/"
        # irq_to_desc() is not exported to modules: let the generic path find the descriptor.
        sed 's|handle_simple_irq(irq_to_desc(irqnum));|generic_handle_irq(irqnum);|' \
            "$src/kernel/irq/irq_sim.c" > "$b/irq_sim.c"
        grep -q 'generic_handle_irq(irqnum)' "$b/irq_sim.c" || die "irq_sim.c patch did not apply"
        local cross=()
        [ "$arch" = arm64 ] && cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
        make -s -C "$hdr/usr/src/linux-headers-$abi" M="$b" "${cross[@]}" -j2 modules > "$b/build.log" 2>&1 \
            || { cat "$b/build.log" >&2; die "gpio-sim.ko build failed for $abi"; }
    fi
}

rig_arch_dir() { case "$1" in amd64) echo x86_64;; arm64) echo aarch64;; *) die "bad arch $1";; esac; }
