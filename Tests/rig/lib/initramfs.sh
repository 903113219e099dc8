# shellcheck shell=bash
# Initramfs for the rig (sourced by Tests/rig/run.sh).
# build_initramfs ARCH(amd64|arm64) BINARY OUT.cpio
# Contents: busybox-static (the arch's own, from the sysroot), the lineside binary and the rig tools
# (v4l2-ctl, gpiod tools) with every shared library they need (NEEDED entries resolved recursively
# in the arch's sysroot with readelf), the kernel modules for vivid and gpio-sim (dependencies from
# modules.dep), our gpio-sim.ko, /init and the guest scenario (Tests/rig/guest/*).
# Needs KVER, KDIR, GPIO_SIM_KO from rig_kernel. Optional:
#   RIG_EXTRA_DIR    folder copied to /rig/extra (fixtures, models)
#   RIG_EXTRA_BINS   space-separated executables copied with their libraries to /usr/bin/<name>
#                    (e.g. the package's linesidePackageTests.xctest, run by the scenario)
#   RIG_TEST_FILTER, RIG_TEST_ARGS  written to /rig/env for the scenario (test bundle filter/options)

RIG_TOOLS=(usr/bin/v4l2-ctl usr/bin/gpioset usr/bin/gpioget usr/bin/gpiomon usr/bin/gpiodetect
           usr/bin/gpioinfo usr/bin/gpiofind)
RIG_MODULES=(vivid configfs)

# lib_search_dirs SYSROOT TRIPLET: where the dynamic loader of that sysroot looks.
lib_search_dirs() {
    echo "$1/lib/$2" "$1/usr/lib/$2" "$1/lib" "$1/usr/lib"
}

# copy_with_libs SYSROOT TRIPLET ROOT FILE DEST: copies FILE to ROOT/DEST, then its interpreter and
# all NEEDED libraries (recursively) to the same paths in ROOT as in SYSROOT.
copy_with_libs() {
    local sysroot=$1 triplet=$2 root=$3 file=$4 dest=$5
    install -D -m 0755 "$file" "$root/$dest"
    local queue=("$file") seen=" " f interp lib dir found
    interp=$(readelf -l "$file" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    if [ -n "$interp" ]; then
        [ -e "$sysroot$interp" ] || die "interpreter $interp of $file not in $sysroot"
        install -D -m 0755 "$(realpath "$sysroot$interp")" "$root$interp"
    fi
    while [ ${#queue[@]} -gt 0 ]; do
        f=${queue[0]}; queue=("${queue[@]:1}")
        for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            case "$seen" in *" $lib "*) continue;; esac
            seen="$seen$lib "
            found=
            for dir in $(lib_search_dirs "$sysroot" "$triplet") ${RIG_EXTRA_LIB_DIRS:-}; do
                [ -e "$dir/$lib" ] && { found="$dir/$lib"; break; }
            done
            [ -n "$found" ] || die "$lib (needed by $f) not found in $sysroot"
            local rel=${found#"$sysroot"}
            case "$found" in "$sysroot"/*) ;; *) rel="/usr/lib/$triplet/$lib";; esac
            install -D -m 0755 "$(realpath "$found")" "$root$rel"
            queue+=("$found")
        done
    done
}

# module_closure MODULES_DIR NAME...: relative paths of the modules and their dependencies,
# dependencies first (from modules.dep).
module_closure() {
    local mdir=$1; shift
    local name
    for name in "$@"; do
        awk -v n="$name" -F': *' '{ p=$1; b=p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
                                   m=n; gsub(/-/, "_", m)
                                   if (b==m) { c=split($2, d, " "); for (i=c; i>=1; i--) print d[i]; print p; exit } }' \
            "$mdir/modules.dep"
    done | awk '!seen[$0]++'
}

build_initramfs() {
    local arch=$1 binary=$2 out=$3 triplet sysroot
    case "$arch" in amd64) triplet=x86_64-linux-gnu;; arm64) triplet=aarch64-linux-gnu;; esac
    sysroot=$("$REPO_DIR/board/sysroot.sh" "$arch")
    local root; root=$(mktemp -d "${out%/*}/root.XXXXXX")
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,rig}
    install -m 0755 "$sysroot/bin/busybox" "$root/bin/busybox"
    # lineside itself (x86_64 builds linked against the toolchain's shared Swift runtime find it
    # through the toolchain's lib folder; --static-swift-stdlib builds need nothing extra).
    local swift_libs; swift_libs="$(dirname "$(realpath "$(command -v swift)")")/../lib/swift/linux"
    if [ "$arch" = amd64 ]; then RIG_EXTRA_LIB_DIRS=$swift_libs; else RIG_EXTRA_LIB_DIRS=; fi
    copy_with_libs "$sysroot" "$triplet" "$root" "$binary" usr/bin/lineside
    local t
    for t in "${RIG_TOOLS[@]}"; do copy_with_libs "$sysroot" "$triplet" "$root" "$sysroot/$t" "$t"; done
    for t in ${RIG_EXTRA_BINS:-}; do copy_with_libs "$sysroot" "$triplet" "$root" "$(realpath "$t")" "usr/bin/${t##*/}"; done
    # kernel modules
    local mdir="$KDIR/image/lib/modules/$KVER" m
    local mods; mods=$(module_closure "$mdir" "${RIG_MODULES[@]}")
    [ -n "$mods" ] || die "modules ${RIG_MODULES[*]} not found in $mdir/modules.dep"
    for m in $mods; do install -D -m 0644 "$mdir/$m" "$root/lib/modules/$KVER/$m"; done
    install -D -m 0644 "$GPIO_SIM_KO" "$root/lib/modules/$KVER/extra/gpio-sim.ko"
    { grep -F -f <(printf '%s:\n' $mods) "$mdir/modules.dep" || true
      echo "extra/gpio-sim.ko: $(module_closure "$mdir" configfs | tr '\n' ' ')"; } > "$root/lib/modules/$KVER/modules.dep"
    # init and scenario
    install -m 0755 "$RIG_DIR/guest/init" "$root/init"
    install -m 0644 "$RIG_DIR/guest/lib.sh" "$root/rig/lib.sh"
    install -m 0755 "${RIG_SCENARIO:-$RIG_DIR/scenario.sh}" "$root/rig/scenario.sh"
    if [ -n "${RIG_EXTRA_DIR:-}" ]; then cp -a "$RIG_EXTRA_DIR" "$root/rig/extra"; fi
    printf 'RIG_TEST_FILTER=%q\nRIG_TEST_ARGS=%q\n' "${RIG_TEST_FILTER:-}" "${RIG_TEST_ARGS:-}" > "$root/rig/env"
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out"
    INITRAMFS_FILES=$(cd "$root" && find . -type f | wc -l)
    rm -rf "$root"
}
