import io
import pickle

import numpy as np
import pytest

import lite0
from weights import cached_state_dict


def naive_conv(x, w, b, stride, depthwise=False):
    """Direct loops with TF 'SAME' padding, for one NHWC image batch."""
    n, h, wd, c = x.shape
    k = w.shape[1]
    top, _ = lite0.same_padding(h, k, stride)
    left, _ = lite0.same_padding(wd, k, stride)
    oh, ow = -(-h // stride), -(-wd // stride)
    cout = c if depthwise else w.shape[0]
    y = np.zeros((n, oh, ow, cout))
    for i in range(oh):
        for j in range(ow):
            for dy in range(k):
                for dx in range(k):
                    yy, xx = i * stride + dy - top, j * stride + dx - left
                    if 0 <= yy < h and 0 <= xx < wd:
                        v = x[:, yy, xx, :].astype(np.float64)
                        y[:, i, j, :] += v * w[0, dy, dx] if depthwise else v @ w[:, dy, dx, :].T
    return y + b


def test_same_padding_puts_the_odd_pixel_after():
    assert lite0.same_padding(224, 3, 2) == (0, 1)
    assert lite0.same_padding(112, 5, 2) == (1, 2)
    assert lite0.same_padding(56, 5, 1) == (2, 2)
    assert lite0.same_padding(56, 1, 1) == (0, 0)


@pytest.mark.parametrize("k,stride,size", [(3, 2, 8), (5, 2, 10), (3, 1, 7), (5, 1, 6), (1, 1, 5)])
def test_conv_and_depthwise_match_direct_loops(k, stride, size):
    rng = np.random.default_rng(k * 10 + stride)
    x = rng.normal(size=(2, size, size, 4)).astype(np.float32)
    w = rng.normal(size=(3, k, k, 4)).astype(np.float32)
    b = rng.normal(size=3).astype(np.float32)
    assert np.allclose(lite0.conv2d(x, w, b, stride), naive_conv(x, w, b, stride), atol=1e-4)
    wd = rng.normal(size=(1, k, k, 4)).astype(np.float32)
    bd = rng.normal(size=4).astype(np.float32)
    assert np.allclose(lite0.dwconv2d(x, wd, bd, stride), naive_conv(x, wd, bd, stride, True), atol=1e-4)


def test_loader_refuses_a_file_with_another_sha(tmp_path):
    p = tmp_path / "x.pth"
    p.write_bytes(b"not the weights")
    with pytest.raises(ValueError, match="refusing"):
        lite0.load_state_dict(str(p))


def test_restricted_unpickler_rejects_other_globals():
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ("true",))
    data = pickle.dumps(Evil(), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        lite0._RestrictedUnpickler(io.BytesIO(data)).load()


def test_state_dict_has_the_lite0_shapes():
    sd = cached_state_dict()
    assert sd["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert sd["_fc.weight"].shape == (1000, 1280)
    assert sum(v.size for v in sd.values()) == 4694073


def test_graph_cut_after_block_10_has_39_layers_and_the_three_taps():
    g = lite0.build_graph(cached_state_dict(), last_block=10, with_head=False)
    assert len(g.layers) == 39
    assert g.taps == {"stride4": 10, "stride8": 17, "stride16": 39}
    assert [l.name for l in g.layers if l.op == "add"] == [
        "blocks.2.add", "blocks.4.add", "blocks.6.add", "blocks.7.add", "blocks.9.add", "blocks.10.add"]
    assert 0.23e9 < lite0.macs(g) < 0.26e9
    out = lite0.taps(g, np.full((1, 224, 224, 3), 127, np.uint8))
    assert out["stride4"].shape == (1, 56, 56, 24)
    assert out["stride8"].shape == (1, 28, 28, 40)
    assert out["stride16"].shape == (1, 14, 14, 112)


def test_bn_folding_matches_conv_then_batch_norm():
    sd = cached_state_dict()
    g = lite0.build_graph(sd, last_block=0, with_head=False)
    x = np.random.default_rng(0).normal(size=(1, 9, 9, 3)).astype(np.float32)
    stem = g.layers[0]
    got = lite0.conv2d(x, stem.weight, stem.bias, 2)
    raw = lite0.conv2d(x, np.transpose(sd["_conv_stem.weight"], (0, 2, 3, 1)), None, 2)
    bn = {k: sd["_bn0." + k] for k in ("weight", "bias", "running_mean", "running_var")}
    want = (raw - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-3) * bn["weight"] + bn["bias"]
    assert np.allclose(got, want, atol=1e-4)
