"""tools/misalign.py on a small generated MVTec-layout category (no dataset needed)."""
import json
import os

import numpy as np
from PIL import Image

import misalign


def make_category(root, size=64):
    rng = np.random.default_rng(3)
    for folder in ("train/good", "test/good", "test/crack", "ground_truth/crack"):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(os.path.join(root, "train/good", f"{i:03d}.png"))
        Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(os.path.join(root, "test/good", f"{i:03d}.png"))
    image = np.zeros((size, size, 3), np.uint8)
    image[20:30, 40:50] = 255
    Image.fromarray(image).save(os.path.join(root, "test/crack/000.png"))
    mask = np.zeros((size, size), np.uint8)
    mask[20:30, 40:50] = 255
    Image.fromarray(mask).save(os.path.join(root, "ground_truth/crack/000_mask.png"))


def test_identity_transform_leaves_pixels_alone():
    pixels = np.arange(64 * 48 * 3, dtype=np.uint32).reshape(48, 64, 3).astype(np.uint8)
    same = misalign.warp(pixels, {"angle": 0.0, "dx": 0.0, "dy": 0.0})
    assert np.array_equal(same, pixels)


def test_shift_moves_content_by_the_fraction_of_the_size():
    pixels = np.zeros((100, 100), np.uint8)
    pixels[40:50, 40:50] = 200
    moved = misalign.warp(pixels, {"angle": 0.0, "dx": 0.1, "dy": -0.05}, nearest=True)
    ys, xs = np.nonzero(moved)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (50, 59, 35, 44)


def test_rotation_turns_about_the_centre_counter_clockwise():
    pixels = np.zeros((101, 101), np.uint8)
    pixels[50, 80:90] = 255  # a bar right of the centre
    turned = misalign.warp(pixels, {"angle": 90.0, "dx": 0.0, "dy": 0.0}, nearest=True)
    ys, xs = np.nonzero(turned)
    # counter-clockwise on screen (y down): right of centre goes above it
    assert set(xs) == {50} and ys.min() == 11 and ys.max() == 20


def test_same_seed_same_copies_and_masks_move_with_their_images(tmp_path):
    src = tmp_path / "cat"
    make_category(str(src))
    a = misalign.misalign(str(src), str(tmp_path / "a"), "paper", "test", 7)
    b = misalign.misalign(str(src), str(tmp_path / "b"), "paper", "test", 7)
    assert a["files"] == b["files"]
    c = misalign.misalign(str(src), str(tmp_path / "c"), "paper", "test", 8)
    assert a["files"] != c["files"]
    for t in a["files"].values():
        assert abs(t["angle"]) <= 10 and abs(t["dx"]) <= 16 / 256 and abs(t["dy"]) <= 16 / 256
    # the defect's pixels and its mask's pixels coincide after the move
    image = np.asarray(Image.open(tmp_path / "a/test/crack/000.png").convert("L"))
    mask = np.asarray(Image.open(tmp_path / "a/ground_truth/crack/000_mask.png"))
    assert set(np.unique(mask)) <= {0, 255}
    inside = image[mask > 0]
    assert inside.size > 50 and inside.mean() > 200 and image[mask == 0].mean() < 30
    assert json.load(open(tmp_path / "a/misalign.json"))["files"] == a["files"]


def test_test_split_copies_train_unchanged_and_all_moves_it(tmp_path):
    src = tmp_path / "cat"
    make_category(str(src))
    test_only = misalign.misalign(str(src), str(tmp_path / "t"), "jitter", "test", 1)
    assert not any(k.startswith("train/") for k in test_only["files"])
    assert (tmp_path / "t/train/good/000.png").read_bytes() == (src / "train/good/000.png").read_bytes()
    both = misalign.misalign(str(src), str(tmp_path / "b"), "jitter", "all", 1)
    assert sum(k.startswith("train/") for k in both["files"]) == 3
    for t in both["files"].values():
        assert abs(t["angle"]) <= 3 and abs(t["dx"]) <= 0.02 and abs(t["dy"]) <= 0.02


def test_bad_source_is_one_line_and_exit_1(tmp_path, capsys):
    assert misalign.main([str(tmp_path / "missing"), str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("misalign: ") and "\n" not in err
