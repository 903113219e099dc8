#!/usr/bin/env python3
"""Seeded misaligned copies of an MVTec-AD-layout category, for evaluating position correction.

  python3 tools/misalign.py SRC_CATEGORY OUT_DIR [--setting paper|jitter] [--split test|all] [--seed N]

Settings (each image gets its own rotation about its centre and shift, uniform in the range):
  paper   the PaDiM paper's misaligned protocol: rotation up to 10 degrees either way and a shift
          up to 16 px at 256 (16/256 of the width and height) along each axis
  jitter  a small line jitter: rotation up to 3 degrees, shift up to 2% of the width along each axis
Split: `test` moves only the test images (train/good copied as they are), `all` moves train and
test. Ground-truth masks get their image's transform (nearest neighbour), so pixel AUROC still
scores the defect where it is. Borders are filled by replicating the edge (a part moved in front
of the same background, not a black wedge). OUT_DIR/misalign.json records every file's transform.
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
from PIL import Image

SETTINGS = {
    "paper": {"degrees": 10.0, "shift": 16.0 / 256.0},
    "jitter": {"degrees": 3.0, "shift": 0.02},
}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")


def draw(rng, setting):
    s = SETTINGS[setting]
    angle = float(rng.uniform(-s["degrees"], s["degrees"]))
    dx, dy = (float(v) for v in rng.uniform(-s["shift"], s["shift"], size=2))
    return {"angle": angle, "dx": dx, "dy": dy}


def warp(pixels, t, nearest=False):
    """pixels (H, W[, C]) rotated by t['angle'] degrees about the centre (counter-clockwise on
    screen) and shifted by (dx * W, dy * H); each output pixel samples the source at the inverse
    transform, coordinates clamped to the edge."""
    h, w = pixels.shape[:2]
    a = math.radians(t["angle"])
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    # output p = R (q - c) + c + d  ->  q = R^-1 (p - c - d) + c; on screen (y down) a
    # counter-clockwise turn by a is x' = cos a x + sin a y, y' = -sin a x + cos a y.
    px, py = xs - cx - t["dx"] * w, ys - cy - t["dy"] * h
    c, s = math.cos(a), math.sin(a)
    qx = c * px - s * py + cx
    qy = s * px + c * py + cy
    if nearest:
        ix = np.clip(np.rint(qx), 0, w - 1).astype(np.intp)
        iy = np.clip(np.rint(qy), 0, h - 1).astype(np.intp)
        return pixels[iy, ix]
    qx = np.clip(qx, 0, w - 1)
    qy = np.clip(qy, 0, h - 1)
    x0 = np.floor(qx).astype(np.intp)
    y0 = np.floor(qy).astype(np.intp)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx, fy = qx - x0, qy - y0
    src = pixels.astype(np.float64)
    if src.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    top = src[y0, x0] * (1 - fx) + src[y0, x1] * fx
    bottom = src[y1, x0] * (1 - fx) + src[y1, x1] * fx
    return np.clip(np.rint(top * (1 - fy) + bottom * fy), 0, 255).astype(np.uint8)


def images_in(folder):
    return sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))


def misalign(src, out, setting, split, seed):
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r} (paper or jitter)")
    if split not in ("test", "all"):
        raise ValueError(f"unknown split {split!r} (test or all)")
    for needed in ("train/good", "test"):
        if not os.path.isdir(os.path.join(src, needed)):
            raise ValueError(f"{src}: no {needed} folder (expected MVTec AD layout)")
    rng = np.random.default_rng(seed)
    record = {"setting": setting, "split": split, "seed": seed, "source": os.path.abspath(src), "files": {}}
    jobs = [("train", "good")] + [("test", t) for t in sorted(os.listdir(os.path.join(src, "test")))
                                  if os.path.isdir(os.path.join(src, "test", t))]
    for part, kind in jobs:
        folder_in = os.path.join(src, part, kind)
        folder_out = os.path.join(out, part, kind)
        os.makedirs(folder_out, exist_ok=True)
        move = part == "test" or split == "all"
        for name in images_in(folder_in):
            path_in, path_out = os.path.join(folder_in, name), os.path.join(folder_out, name)
            if not move:
                shutil.copyfile(path_in, path_out)
                continue
            t = draw(rng, setting)
            image = Image.open(path_in)
            mode = "L" if image.mode in ("L", "I;16", "I") else "RGB"
            pixels = np.asarray(image.convert(mode))
            Image.fromarray(warp(pixels, t)).save(os.path.splitext(path_out)[0] + ".png")
            record["files"][f"{part}/{kind}/{name}"] = t
            stem = os.path.splitext(name)[0]
            mask_in = os.path.join(src, "ground_truth", kind, stem + "_mask.png")
            if part == "test" and os.path.exists(mask_in):
                mask_dir = os.path.join(out, "ground_truth", kind)
                os.makedirs(mask_dir, exist_ok=True)
                mask = np.asarray(Image.open(mask_in).convert("L"))
                Image.fromarray(warp(mask, t, nearest=True)).save(os.path.join(mask_dir, stem + "_mask.png"))
    with open(os.path.join(out, "misalign.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    return record


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("source")
    p.add_argument("out")
    p.add_argument("--setting", default="paper", choices=sorted(SETTINGS))
    p.add_argument("--split", default="test", choices=["test", "all"])
    p.add_argument("--seed", type=int, default=20261201)
    a = p.parse_args(argv)
    try:
        record = misalign(a.source, a.out, a.setting, a.split, a.seed)
    except (ValueError, OSError) as e:
        print(f"misalign: {e}", file=sys.stderr)
        return 1
    print(f"misalign: {len(record['files'])} images moved ({a.setting}, {a.split}, seed {a.seed}) -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
