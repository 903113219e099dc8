#!/usr/bin/env bash
# Installs lineside on a Raspberry Pi 4/5 running Debian bookworm (arm64). Run as root from a
# checkout, after building the binary, usually cross-compiled on a development machine:
#
#   board/build-aarch64.sh . --product lineside          # -> .build-aarch64/.../release/lineside-stripped
#   (copy the checkout or board/ and the binary to the Pi)
#   sudo board/install.sh lineside-stripped
#
# or on the Pi itself with a Swift toolchain: swift build -c release --static-swift-stdlib, then
#   sudo board/install.sh .build/release/lineside
#
# Idempotent: re-running upgrades the binary, unit and udev rule; an existing
# /etc/lineside/lineside.conf is never overwritten.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
binary=${1:-$here/../.build/release/lineside}
runtime_packages=(libxnnpack0 libpthreadpool0 libv4l-0 libgpiod2 libpng16-16 libjpeg62-turbo zlib1g libmosquitto1
                  libmicrohttpd12 libopencv-core406 libopencv-imgproc406 libopencv-video406)

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 $*)"
[ -x "$binary" ] || die "no lineside binary at $binary (build it first, or pass its path)"
arch=$(dpkg --print-architecture)
[ "$arch" = arm64 ] || say "warning: this is $arch, not arm64 (carrying on)"
if [ -r /etc/os-release ]; then
  . /etc/os-release
  [ "${VERSION_CODENAME:-}" = bookworm ] || say "warning: this is ${PRETTY_NAME:-an unknown system}, not Debian bookworm (carrying on)"
fi

say "runtime libraries: ${runtime_packages[*]}"
missing=()
for p in "${runtime_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

say "user lineside in groups video and gpio"
getent group gpio >/dev/null || groupadd --system gpio
getent group video >/dev/null || groupadd --system video
if ! id lineside >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/lineside --no-create-home --shell /usr/sbin/nologin \
          --comment "lineside inspection service" lineside
fi
usermod --append --groups video,gpio lineside

say "binary /usr/local/bin/lineside"
install -m 0755 "$binary" /usr/local/bin/lineside.new
mv -f /usr/local/bin/lineside.new /usr/local/bin/lineside
if unresolved=$(ldd /usr/local/bin/lineside 2>&1 | grep "not found"); then
  die "the binary needs libraries that are not installed (built without --static-swift-stdlib?):
$unresolved"
fi

say "configuration /etc/lineside"
install -d -m 0755 /etc/lineside
install -m 0644 "$here/lineside.conf.defaults" /etc/lineside/lineside.conf.defaults
install -m 0644 "$here/lineside.conf.example-rpi" /etc/lineside/lineside.conf.example-rpi
if [ -e /etc/lineside/lineside.conf ]; then
  say "keeping the existing /etc/lineside/lineside.conf"
else
  install -m 0644 "$here/lineside.conf.example-rpi" /etc/lineside/lineside.conf
  say "wrote /etc/lineside/lineside.conf from the Raspberry Pi example: check the camera, chip and pins"
fi
install -d -m 0750 -o lineside -g lineside /var/lib/lineside
install -d -m 0755 /usr/local/share/doc/lineside
install -m 0644 "$here/README.md" "$here/gpio.md" /usr/local/share/doc/lineside/

say "udev rule for /dev/gpiochip*"
install -m 0644 "$here/99-lineside-gpio.rules" /etc/udev/rules.d/99-lineside-gpio.rules
# In a chroot (board/make-image.sh runs this script in the image being built) no udevd runs: the
# rule applies from the next boot.
if udevadm control --reload 2>/dev/null; then
  udevadm trigger --subsystem-match=gpio --action=change || true
else
  say "udev is not running (a chroot?): the rule applies from the next boot"
fi

say "systemd unit lineside.service"
install -m 0644 "$here/lineside.service" /etc/systemd/system/lineside.service
systemctl daemon-reload 2>/dev/null || say "systemd is not running (a chroot?): the unit is enabled for the next boot"
systemctl enable lineside.service

if /usr/local/bin/lineside check-config --config /etc/lineside/lineside.conf >/dev/null; then
  say "done: the configuration is valid; start with 'systemctl start lineside', watch 'journalctl -u lineside -f'"
else
  say "done, but fix /etc/lineside/lineside.conf first (message above), then 'systemctl start lineside'"
fi
