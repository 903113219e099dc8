#!/usr/bin/env bash
# Builds lineside against libgpiod 2.x (v2 API, Debian trixie) and runs the tests, to check the
# CGPIOD shim's gpiod_v2.c on a bookworm machine. Leaves the machine's apt state alone: trixie's
# libgpiod-dev and libgpiod3 are downloaded through a private apt root and unpacked under $WORK.
# The mirror is read from this machine's apt configuration.
#
#   tools/check-libgpiod-v2.sh            # build into .build-v2 and run the line I/O tests
set -euo pipefail

top=$(git rev-parse --show-toplevel)
work=${WORK:-/tmp/lineside-libgpiod-v2}
suite=${SUITE:-trixie}

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "no Debian mirror in this machine's apt configuration" >&2; exit 1; }

mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/root"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
          -o "Acquire::Check-Valid-Until=false" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" download -qq libgpiod-dev libgpiod3)
for deb in "$work"/libgpiod*.deb; do dpkg-deb -x "$deb" "$work/root"; done

v2="$work/root/usr"
lib=$(dirname "$(find "$v2/lib" -name 'libgpiod.so.*' | head -1)")
cd "$top"
swift build --scratch-path .build-v2 -j 2 --build-tests \
  -Xcc "-I$v2/include" -Xlinker "-L$lib" -Xlinker -rpath -Xlinker "$lib"
swift test --scratch-path .build-v2 --skip-build --filter LineIOTests
