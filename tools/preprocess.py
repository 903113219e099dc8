"""THE preprocessing spec shared by the tools and the Swift firmware (which implements it identically).

1. Decode to uint8 (Pillow here): grayscale replicated to 3 channels; alpha dropped; 16-bit >> 8;
   palette converted to RGB.
2. Resize to 256x256 with a separable triangle filter, PIL-style antialias (see `resize_weights`):
   horizontal pass into a float32 intermediate (no rounding), then vertical pass, then
   floor(v + 0.5) clamped to [0, 255].
3. Centre crop 224x224 at offset (16, 16).
4. Net input: float net (u8 - 127) / 128; int8 net q = u8 - 128 (scale 1/128, zero point -1).
Masks: nearest resize to 256 (src = floor((x + 0.5) * in / out)), crop 224, defect = value > 0.
"""
from __future__ import annotations

import math

import numpy as np

RESIZE = 256
CROP = 224
CROP_OFFSET = (RESIZE - CROP) // 2  # 16


def decode(path: str) -> np.ndarray:
    """Image file -> uint8 (H, W, 3)."""
    from PIL import Image
    with Image.open(path) as img:
        img.load()
        return to_rgb_u8(img)


def to_rgb_u8(img) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        a = np.asarray(img)
        a = (a.astype(np.int64) >> 8).clip(0, 255).astype(np.uint8)  # 16-bit samples: high byte
        return np.repeat(a[:, :, None], 3, axis=2)
    if mode in ("L", "LA", "1"):
        a = np.asarray(img.convert("L") if mode == "1" else img)
        if a.ndim == 3:
            a = a[:, :, 0]  # LA: drop alpha
        return np.repeat(a[:, :, None], 3, axis=2).astype(np.uint8)
    if mode in ("RGB", "RGBA"):
        a = np.asarray(img)
        return np.ascontiguousarray(a[:, :, :3]).astype(np.uint8)
    # P, PA, CMYK, YCbCr, ...: Pillow's conversion to RGB.
    return np.asarray(img.convert("RGB")).astype(np.uint8)


def resize_weights(size_in: int, size_out: int) -> np.ndarray:
    """(size_out, size_in) float32 matrix of the triangle filter, rows summing to 1.

    scale = in/out, support = max(scale, 1); for output x: center = (x + 0.5) * scale;
    taps t in [max(0, floor(center - support)), min(in, ceil(center + support)));
    w(t) = max(0, 1 - |(t + 0.5 - center) / support|), normalised to sum 1.
    Weights are computed in float64 and stored as float32.
    """
    scale = size_in / size_out
    support = max(scale, 1.0)
    m = np.zeros((size_out, size_in), dtype=np.float64)
    for x in range(size_out):
        center = (x + 0.5) * scale
        lo = max(0, math.floor(center - support))
        hi = min(size_in, math.ceil(center + support))
        t = np.arange(lo, hi, dtype=np.float64)
        w = np.maximum(0.0, 1.0 - np.abs((t + 0.5 - center) / support))
        m[x, lo:hi] = w / w.sum()
    return m.astype(np.float32)


def resize_u8(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """uint8 (H, W, C) -> uint8 (out_h, out_w, C); horizontal pass first, float32 intermediate."""
    h, w, c = img.shape
    wx = resize_weights(w, out_w)
    wy = resize_weights(h, out_h)
    f = img.astype(np.float32)
    # Horizontal: (out_w, W) @ (W, H*C) -> (out_w, H, C); vertical: (out_h, H) @ (H, out_w*C).
    tmp = (wx @ f.transpose(1, 0, 2).reshape(w, h * c)).reshape(out_w, h, c)
    out = (wy @ np.ascontiguousarray(tmp.transpose(1, 0, 2)).reshape(h, out_w * c)).reshape(out_h, out_w, c)
    return np.clip(np.floor(out + np.float32(0.5)), 0, 255).astype(np.uint8)


def center_crop(a: np.ndarray, size: int = CROP) -> np.ndarray:
    top = (a.shape[0] - size) // 2
    left = (a.shape[1] - size) // 2
    return a[top:top + size, left:left + size]


def preprocess_u8(img: np.ndarray) -> np.ndarray:
    """Decoded uint8 (H, W, 3) -> uint8 (224, 224, 3)."""
    return np.ascontiguousarray(center_crop(resize_u8(img, RESIZE, RESIZE)))


def load_image(path: str) -> np.ndarray:
    """File -> the network's uint8 (224, 224, 3) input."""
    return preprocess_u8(decode(path))


def int8_input(u8: np.ndarray) -> np.ndarray:
    """The int8 net's input: q = u8 - 128 (scale 1/128, zero point -1)."""
    return (u8.astype(np.int16) - 128).astype(np.int8)


def nearest_indices(size_in: int, size_out: int) -> np.ndarray:
    """src = floor((x + 0.5) * in / out), computed exactly as ((2x + 1) * in) // (2 * out)."""
    x = np.arange(size_out, dtype=np.int64)
    return np.minimum(((2 * x + 1) * size_in) // (2 * size_out), size_in - 1)


def load_mask(path: str | None, like_shape: tuple[int, int] | None = None) -> np.ndarray:
    """Mask file -> bool (224, 224) defect map; None -> all False (good images have no mask)."""
    if path is None:
        return np.zeros((CROP, CROP), dtype=bool)
    from PIL import Image
    with Image.open(path) as img:
        a = np.asarray(img)
    if a.ndim == 3:
        a = a.max(axis=2)
    ys = nearest_indices(a.shape[0], RESIZE)
    xs = nearest_indices(a.shape[1], RESIZE)
    return center_crop(a[ys][:, xs] > 0)
