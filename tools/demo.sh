#!/usr/bin/env bash
# The main job on a machine with no camera and no GPIO: installs what is missing, builds the
# release binary and runs `lineside demo` (generated parts, simulated lines, a simulated press of
# the calibration button). Extra arguments go to the demo (see `lineside demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
tools/setup.sh
swift build -c release --product lineside 2>&1 | tail -n 1
exec .build/release/lineside demo "$@"
