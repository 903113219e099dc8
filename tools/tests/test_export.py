import hashlib
import json

import numpy as np

import export_backbone
import int8_reference
import lite0
import safetensors_io
from weights import cached_state_dict


def synthetic_export():
    """Export calibrated on 2 deterministic synthetic images (no dataset needed)."""
    sd = cached_state_dict()
    full = lite0.build_graph(sd)
    cut = lite0.build_graph(sd, last_block=10, with_head=False)
    rng = np.random.default_rng(42)
    imgs = rng.integers(0, 256, size=(2, 224, 224, 3), dtype=np.uint8)
    imgs = (imgs // 2 + np.linspace(0, 127, 224, dtype=np.uint8)[None, :, None, None]).astype(np.uint8)
    ranges, _, _ = export_backbone.calibrate(full, len(cut.layers), [(imgs, [None, None])])
    t, m, _ = export_backbone.build_export(cut, ranges, {"calibration": "{}", "float_top1": "n/a"})
    return safetensors_io.serialize(t, m), cut, imgs


def test_export_is_byte_reproducible_and_follows_the_format():
    a, cut, imgs = synthetic_export()
    b, _, _ = synthetic_export()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    tensors, meta = safetensors_io.deserialize(a)
    assert meta["format"] == "lineside-backbone/1"
    assert meta["source_sha256"] == lite0.SOURCE_SHA256
    graph = json.loads(meta["graph"])
    assert graph["tensors"][0]["scale"] == 0.0078125 and graph["tensors"][0]["zero_point"] == -1
    assert [t["channels"] for t in graph["taps"]] == [24, 40, 112]
    assert tensors["L00.weight"].shape == (32, 3, 3, 3) and tensors["L00.weight"].dtype == np.int8
    assert tensors["L01.weight"].shape == (1, 3, 3, 32)
    assert tensors["L00.bias"].dtype == np.int32 and tensors["L00.weight_scale"].dtype == np.float32
    adds = [l for l in graph["layers"] if l["op"] == "add"]
    assert all(f"L{l['index']:02d}.weight" not in tensors for l in adds)
    for l in graph["layers"]:
        if l["op"] != "add":
            assert (np.abs(tensors[f"L{l['index']:02d}.weight"]).max(axis=tuple(range(1, 4))) <= 127).all()
    relu6_out = {l["output"] for l in graph["layers"] if l.get("relu6")}
    for t in graph["tensors"]:
        if t["id"] in relu6_out:
            assert t["zero_point"] == -128


def test_int8_simulation_tracks_the_float_taps_on_its_calibration_images():
    data, cut, imgs = synthetic_export()
    net = int8_reference.Int8Backbone(data)
    got = net.dequantized_taps(imgs[:1])
    ref = lite0.taps(cut, imgs[:1])
    for name in ref:
        assert int8_reference.cosine_per_image(got[name], ref[name])[0] > 0.95, name


def test_the_float32_prefix_tracks_the_float_taps_closer_than_int8():
    # The firmware's default precision: the first layers in float32 on the dequantised int8
    # weights. It must track the float network at least as well as all-int8 on every tap, and
    # better on the finest one (the prefix's rounding is what it removes).
    data, cut, imgs = synthetic_export()
    ref = lite0.taps(cut, imgs[:1])
    int8 = int8_reference.Int8Backbone(data).dequantized_taps(imgs[:1])
    prefix = int8_reference.Int8Backbone(data, float_prefix=4).dequantized_taps(imgs[:1])
    cos = {name: (int8_reference.cosine_per_image(int8[name], ref[name])[0],
                  int8_reference.cosine_per_image(prefix[name], ref[name])[0]) for name in ref}
    assert all(p >= i - 1e-3 for i, p in cos.values()), cos
    assert cos["stride4"][1] > cos["stride4"][0], cos
    assert any(not np.array_equal(int8[name], prefix[name]) for name in ref)


def test_a_float32_prefix_over_an_add_is_refused():
    data, cut, _ = synthetic_export()
    graph = json.loads(safetensors_io.deserialize(data)[1]["graph"])
    first_add = next(l["index"] for l in graph["layers"] if l["op"] == "add")
    try:
        int8_reference.Int8Backbone(data, float_prefix=first_add + 1)
    except ValueError as error:
        assert "add" in str(error)
    else:
        raise AssertionError("a prefix over an add was accepted")
