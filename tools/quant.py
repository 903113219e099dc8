"""int8 quantization rules of the exported backbone (shared by the exporter and the int8 simulation).

- Weights: int8 per OUTPUT channel, symmetric: scale_c = max|w_c| / 127,
  q = round-half-even(w / scale_c) clipped to [-127, 127]. Dead channels (weights ~1e-7, BN
  turned them into constants = bias) would get a tiny scale and an int32 bias overflow, so
  scale_c is floored at (max over the layer of max|w|) / 1024 / 127; no live channel of Lite0
  is near that floor (the smallest live ratio is ~7e-3 > 1/1024).
- Biases: int32, scale input_scale * weight_scale[c], zero point 0, round-half-even.
- Activations: int8 asymmetric per tensor from a calibrated float range [lo, hi] that includes 0
  (ReLU6 outputs: lo = 0, hi <= 6); the range is first rounded outward to 8 significant bits so
  last-bit float differences between machines do not change the export.
  scale = (hi - lo) / 255, zero_point = round(-128 - lo / scale) clipped to [-128, 127].
- Network input: fixed scale 1/128, zero point -1 (q = u8 - 128 == (u8 - 127) / 128).
"""
from __future__ import annotations

import math

import numpy as np

INPUT_SCALE = 1.0 / 128.0
INPUT_ZERO_POINT = -1
SIGNIFICANT_BITS = 8
DEAD_CHANNEL_RATIO = 1024.0


def round_outward(v: float, up: bool, bits: int = SIGNIFICANT_BITS) -> float:
    """v rounded away from the range's inside (up for a max, down for a min) to `bits` significant bits."""
    if v == 0.0 or not math.isfinite(v):
        return float(v)
    e = math.floor(math.log2(abs(v)))
    q = 2.0 ** (e - bits + 1)
    return (math.ceil(v / q) if up else math.floor(v / q)) * q


def activation_params(lo: float, hi: float, relu6: bool) -> tuple[float, int]:
    """(scale as a float32 value, zero_point) for a tensor with calibrated range [lo, hi]."""
    if relu6:
        lo, hi = 0.0, min(hi, 6.0)
    lo = min(round_outward(float(lo), up=False), 0.0)
    hi = max(round_outward(float(hi), up=True), 0.0)
    if hi - lo < 1e-6:
        hi = lo + 1e-6
    scale = float(np.float32((hi - lo) / 255.0))
    zero_point = int(np.clip(np.rint(-128.0 - lo / scale), -128, 127))
    return scale, zero_point


def quantize_weights(w: np.ndarray, per_channel_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """float weights -> (int8 q, float32 scale per channel along per_channel_axis)."""
    moved = np.moveaxis(w.astype(np.float32), per_channel_axis, 0)
    maxabs = np.abs(moved.reshape(moved.shape[0], -1)).max(axis=1)
    maxabs = np.maximum(maxabs, maxabs.max() / np.float32(DEAD_CHANNEL_RATIO))
    scale = (maxabs / np.float32(127.0)).astype(np.float32)
    scale[scale == 0] = np.float32(1.0)  # an all-zero layer
    shape = [-1] + [1] * (moved.ndim - 1)
    q = np.clip(np.rint(moved / scale.reshape(shape)), -127, 127).astype(np.int8)
    return np.ascontiguousarray(np.moveaxis(q, 0, per_channel_axis)), scale


def quantize_bias(b: np.ndarray, input_scale: float, weight_scale: np.ndarray) -> np.ndarray:
    s = np.float64(np.float32(input_scale)) * weight_scale.astype(np.float64)
    q = np.rint(b.astype(np.float64) / s)
    if np.abs(q).max() >= 2**31:
        raise ValueError(f"bias does not fit int32 (max {np.abs(q).max():.3g})")
    return q.astype(np.int32)


def quantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return np.clip(np.rint(x / np.float32(scale)) + zero_point, -128, 127).astype(np.int8)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return (q.astype(np.float32) - np.float32(zero_point)) * np.float32(scale)


def output_clamp(relu6: bool, scale: float, zero_point: int) -> tuple[int, int]:
    """The int8 output range of a layer: relu6 -> [q(0), q(6)] clipped to int8, else [-128, 127]."""
    if not relu6:
        return -128, 127
    lo = int(np.clip(zero_point, -128, 127))
    hi = int(np.clip(np.rint(6.0 / scale) + zero_point, -128, 127))
    return lo, hi


def requantization_scale(input_scale: float, weight_scale: np.ndarray, output_scale: float) -> np.ndarray:
    """As XNNPACK computes it, in float32: input_scale * weight_scale[c] / output_scale."""
    return (np.float32(input_scale) * weight_scale.astype(np.float32) / np.float32(output_scale)).astype(np.float32)
