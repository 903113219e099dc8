#!/bin/bash
# Runs INSIDE the image's root file system (chroot, arm64 through qemu-user-static) as
# board/make-image.sh's mmdebstrap customize hook; /tmp/stage holds board/ and image/.
set -euo pipefail
say() { echo "customize: $*"; }
stage=/tmp/stage

# 1. lineside as on any board: the same install script a user runs (user, groups, binary, config
#    from lineside.conf.example-rpi, udev rule, unit enabled). Its apt step finds everything
#    installed already; udevadm and daemon-reload see the chroot and do nothing.
bash "$stage/board/install.sh" "$stage/board/lineside"

# 2. First boot: grow the root partition, unique hostname.
install -m 0755 "$stage/image/lineside-firstboot.sh" /usr/local/sbin/lineside-firstboot
install -m 0644 "$stage/image/lineside-firstboot.service" /etc/systemd/system/lineside-firstboot.service
systemctl enable lineside-firstboot.service

# systemd-firstboot would stop the first boot at a prompt on the console (locale, time zone, root
# password): a board has nobody there. The first boot is lineside-firstboot's.
systemctl mask systemd-firstboot.service

# 3. File systems, host name, console.
cat > /etc/fstab <<FSTAB
# <file system>   <mount point>   <type>  <options>          <dump>  <pass>
LABEL=RASPIROOT   /               ext4    rw,noatime         0       1
LABEL=RASPIFIRM   /boot/firmware  vfat    rw,noatime,nofail  0       2
FSTAB
echo lineside > /etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlineside\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
# A journal that survives reboots (the service's history on the board).
mkdir -p /var/log/journal
# No password is set for root: the console shows the boot and lineside's state; set one (passwd)
# or add an ssh key if the board needs a login.

# 4. The Raspberry Pi boot partition: raspi-firmware's hook writes config.txt and cmdline.txt from
#    /etc/default/raspi-firmware; in a chroot it cannot guess the root device or the consoles.
# CMA=0: no cma= on the command line (the hook adds cma=64M unless it runs on a Pi 4, and says
# that setting renders a Pi 4 unbootable).
sed -i -e 's|^#\?ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|' -e 's|^#\?CONSOLES=.*|CONSOLES="tty0 ttyS1,115200"|' \
    -e 's|^#\?CMA=.*|CMA=0|' /etc/default/raspi-firmware
grep -q '^ROOTPART=LABEL=RASPIROOT' /etc/default/raspi-firmware || echo 'ROOTPART=LABEL=RASPIROOT' >> /etc/default/raspi-firmware
grep -q '^CONSOLES=' /etc/default/raspi-firmware || echo 'CONSOLES="tty0 ttyS1,115200"' >> /etc/default/raspi-firmware
grep -q '^CMA=0' /etc/default/raspi-firmware || echo 'CMA=0' >> /etc/default/raspi-firmware
DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware
say "boot partition: $(find /boot/firmware -mindepth 1 -printf '%f ')"
say "cmdline.txt: $(cat /boot/firmware/cmdline.txt)"

# 5. Leave no build state: machine-id is made on first boot, apt lists are fetched on the board.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
rm -rf /var/lib/apt/lists/* /var/log/*.log /var/log/apt/*
say "done"
