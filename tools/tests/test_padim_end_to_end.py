import json
import os

import numpy as np

import padim_reference as padim
from weights import cached_state_dict


def make_category(root, rng):
    """A tiny MVTec-layout category: flat grey good parts, a test part with a bright square."""
    from PIL import Image

    def save(path, arr):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(arr).save(path)

    def good():
        return np.clip(120 + rng.normal(0, 4, size=(64, 64, 3)), 0, 255).astype(np.uint8)

    for i in range(6):
        save(os.path.join(root, "train", "good", f"{i:03d}.png"), good())
    for i in range(2):
        save(os.path.join(root, "test", "good", f"{i:03d}.png"), good())
    for i in range(2):
        img = good()
        img[20:40, 24:44] = 255
        save(os.path.join(root, "test", "spot", f"{i:03d}.png"), img)
        mask = np.zeros((64, 64), np.uint8)
        mask[20:40, 24:44] = 255
        save(os.path.join(root, "ground_truth", "spot", f"{i:03d}_mask.png"), mask)


def test_evaluate_ranks_the_defect_above_good_and_writes_outputs(tmp_path):
    cached_state_dict()  # skips (with the reason) when the weights are not cached
    root = str(tmp_path / "cat")
    make_category(root, np.random.default_rng(0))
    feats = str(tmp_path / "f.npy")
    res = padim.evaluate(root, padim.Backbone("float", None, None), features_out=feats, log=lambda *_: None)
    assert res["train_images"] == 6 and res["test_images"] == 4
    assert res["image_auroc"] == 1.0
    assert res["pixel_auroc"] > 0.9
    assert [s["file"] for s in res["scores"]] == ["test/good/000.png", "test/good/001.png",
                                                   "test/spot/000.png", "test/spot/001.png"]
    assert np.load(feats).shape == (4, 56, 56, 100)
    json.dumps(res)  # serialisable as written by --json
