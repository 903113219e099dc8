import io
import math

import numpy as np
import pytest

import preprocess


def direct_resize(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """The spec written out pixel by pixel in float64 (independent of resize_weights)."""
    def taps(size_in, size_out, x):
        scale = size_in / size_out
        support = max(scale, 1.0)
        center = (x + 0.5) * scale
        ts = range(max(0, math.floor(center - support)), min(size_in, math.ceil(center + support)))
        ws = [max(0.0, 1.0 - abs((t + 0.5 - center) / support)) for t in ts]
        s = sum(ws)
        return list(ts), [w / s for w in ws]

    h, w, c = img.shape
    tmp = np.zeros((h, out_w, c))
    for x in range(out_w):
        ts, ws = taps(w, out_w, x)
        tmp[:, x] = sum(wt * img[:, t].astype(np.float64) for t, wt in zip(ts, ws))
    out = np.zeros((out_h, out_w, c))
    for y in range(out_h):
        ts, ws = taps(h, out_h, y)
        out[y] = sum(wt * tmp[t] for t, wt in zip(ts, ws))
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("shape,out", [((37, 53, 3), (16, 16)), ((20, 30, 3), (45, 31)), ((64, 64, 1), (32, 32))])
def test_resize_matches_the_direct_formula(shape, out):
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=shape, dtype=np.uint8)
    got = preprocess.resize_u8(img, *out).astype(int)
    want = direct_resize(img, *out).astype(int)
    diff = np.abs(got - want)
    # float32 vs float64 may differ only where a value sits on a .5 rounding boundary.
    assert diff.max() <= 1
    assert (diff > 0).mean() < 0.01


def test_resize_to_the_same_size_is_identity():
    img = np.random.default_rng(1).integers(0, 256, size=(19, 23, 3), dtype=np.uint8)
    assert np.array_equal(preprocess.resize_u8(img, 19, 23), img)


def test_resize_weights_rows_sum_to_one_and_downscale_is_antialiased():
    m = preprocess.resize_weights(512, 256)
    assert np.allclose(m.sum(axis=1), 1.0, atol=1e-6)
    assert (m[100] > 0).sum() == 4  # support 2 -> 4 taps for a 2x downscale


def test_resize_is_within_one_of_pillow_bilinear():
    from PIL import Image
    img = np.random.default_rng(3).integers(0, 256, size=(90, 70, 3), dtype=np.uint8)
    ours = preprocess.resize_u8(img, 40, 50).astype(int)
    pil = np.asarray(Image.fromarray(img).resize((50, 40), Image.BILINEAR)).astype(int)
    assert np.abs(ours - pil).max() <= 1


def test_preprocess_gives_224_crop_of_the_256_resize():
    img = np.random.default_rng(5).integers(0, 256, size=(300, 400, 3), dtype=np.uint8)
    full = preprocess.resize_u8(img, 256, 256)
    got = preprocess.preprocess_u8(img)
    assert got.shape == (224, 224, 3)
    assert np.array_equal(got, full[16:240, 16:240])


def _png(img) -> io.BytesIO:
    b = io.BytesIO()
    img.save(b, format="PNG")
    b.seek(0)
    return b


def test_decode_replicates_gray_drops_alpha_shifts_16_bit_and_expands_palette(tmp_path):
    from PIL import Image
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    p = tmp_path / "g.png"
    Image.fromarray(gray, "L").save(p)
    assert np.array_equal(preprocess.decode(str(p)), np.repeat(gray[:, :, None], 3, axis=2))

    rgba = np.random.default_rng(2).integers(0, 256, size=(3, 4, 4), dtype=np.uint8)
    p = tmp_path / "a.png"
    Image.fromarray(rgba, "RGBA").save(p)
    assert np.array_equal(preprocess.decode(str(p)), rgba[:, :, :3])

    g16 = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000)
    p = tmp_path / "w.png"
    Image.fromarray(g16).save(p)
    assert np.array_equal(preprocess.decode(str(p))[:, :, 0], (g16 >> 8).astype(np.uint8))

    pal = Image.fromarray(rgba[:, :, :3], "RGB").convert("P", palette=Image.ADAPTIVE, colors=4)
    p = tmp_path / "p.png"
    pal.save(p)
    assert np.array_equal(preprocess.decode(str(p)), np.asarray(pal.convert("RGB")))


def test_int8_input_is_u8_minus_128_and_matches_the_float_input():
    u8 = np.arange(256, dtype=np.uint8)
    q = preprocess.int8_input(u8)
    assert q.dtype == np.int8 and q[0] == -128 and q[255] == 127
    # scale 1/128, zero point -1 dequantizes to (u8 - 127) / 128
    assert np.allclose((q.astype(np.float64) + 1) / 128.0, (u8.astype(np.float64) - 127) / 128.0)


def test_nearest_indices_follow_the_half_pixel_formula():
    assert list(preprocess.nearest_indices(4, 8)) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(preprocess.nearest_indices(512, 256))[:3] == [1, 3, 5]
    assert list(preprocess.nearest_indices(3, 2)) == [0, 2]


def test_mask_is_resized_nearest_cropped_and_thresholded(tmp_path):
    from PIL import Image
    m = np.zeros((512, 512), dtype=np.uint8)
    m[32:64, 41] = 255  # src = 2x + 1: column 41 is x 20 of 256 -> 4 after the crop; rows 32..63 -> 16..31 -> 0..15
    m[100:120, 40] = 255  # an even column is never sampled by a 2x nearest downscale
    p = tmp_path / "m.png"
    Image.fromarray(m).save(p)
    got = preprocess.load_mask(str(p))
    assert got.shape == (224, 224) and got.dtype == bool
    assert got[0:16, 4].all() and got.sum() == 16
    assert not preprocess.load_mask(None).any()
