import numpy as np

import export_backbone
import lite0


def test_percentile_range_ignores_rare_outliers_and_minmax_keeps_them():
    obs = export_backbone.RangeObserver(1)
    layer = lite0.Layer(0, "x", "conv", [0], 1)
    y = np.linspace(-2.0, 3.0, 100001, dtype=np.float32)
    y[0], y[-1] = -40.0, 50.0  # one outlier each side
    obs(layer, y)
    assert obs.range(1, "minmax") == (-40.0, 50.0)
    lo, hi = obs.range(1, "percentile:99.99")
    assert -2.01 <= lo <= -1.99 and 2.99 <= hi <= 3.01
    assert lo <= float(np.percentile(y, 0.01)) and hi >= float(np.percentile(y, 99.99))


def test_ranges_accumulate_over_batches():
    obs = export_backbone.RangeObserver(1)
    layer = lite0.Layer(0, "x", "conv", [0], 1)
    obs(layer, np.array([0.0, 1.0], np.float32))
    obs(layer, np.array([-1.0, 0.5], np.float32))
    assert obs.range(1, "minmax") == (-1.0, 1.0)
    assert obs.hist[1].sum() == 4
