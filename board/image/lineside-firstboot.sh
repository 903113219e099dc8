#!/bin/sh
# First boot of a lineside image (run once by lineside-firstboot.service, as root):
# 1. grows the root partition to the end of its disk (growpart) and the ext4 in it (resize2fs);
# 2. sets a unique hostname, lineside-XXXXXX, from the board's serial number (Raspberry Pi device
#    tree) or, elsewhere, from /etc/machine-id.
# Writes /var/lib/lineside-firstboot/done, which keeps the unit from running again.
set -eu
say() { echo "lineside-firstboot: $*"; }

root_dev=$(findmnt -n -o SOURCE /)
root_name=${root_dev##*/}
if [ -r "/sys/class/block/$root_name/partition" ]; then
    part=$(cat "/sys/class/block/$root_name/partition")
    disk=/dev/$(basename "$(readlink -f "/sys/class/block/$root_name/..")")
    say "growing partition $part of $disk ($root_dev)"
    # growpart exits 1 with NOCHANGE when the partition already fills the disk.
    if growpart "$disk" "$part"; then say "partition grown"; else say "partition not grown (already full size?)"; fi
    resize2fs "$root_dev" || say "resize2fs failed"
else
    say "$root_dev is not a partition: not grown"
fi

serial=
if [ -r /sys/firmware/devicetree/base/serial-number ]; then
    serial=$(tr -d '\0' < /sys/firmware/devicetree/base/serial-number | sed 's/^0*//')
fi
[ -n "$serial" ] || serial=$(cat /etc/machine-id 2>/dev/null || true)
suffix=$(printf '%s' "$serial" | tail -c 6)
[ -n "$suffix" ] || suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
name="lineside-$suffix"
say "hostname $name"
echo "$name" > /etc/hostname
hostname "$name"
if grep -q '^127\.0\.1\.1' /etc/hosts; then
    sed -i "s/^127\.0\.1\.1.*/127.0.1.1\t$name/" /etc/hosts
else
    printf '127.0.1.1\t%s\n' "$name" >> /etc/hosts
fi

mkdir -p /var/lib/lineside-firstboot
date -u +%Y-%m-%dT%H:%M:%SZ > /var/lib/lineside-firstboot/done
say "done"
