"""Minimal safetensors writer/reader (numpy only), byte-reproducible.

Format: 8-byte little-endian header length N, N bytes of JSON header (sorted keys, compact,
padded with spaces to a multiple of 8), then the data. The header maps tensor name ->
{"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data start) plus
"__metadata__": {str: str}. Tensors are stored sorted by name, each starting 8-byte aligned.
"""
from __future__ import annotations

import json
import struct

import numpy as np

DTYPES = {
    "I8": np.dtype("i1"), "U8": np.dtype("u1"), "I16": np.dtype("<i2"), "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"), "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}
_NAMES = {v: k for k, v in DTYPES.items()}


def dtype_name(a: np.ndarray) -> str:
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    for name, d in DTYPES.items():
        if d == dt or (d.kind == dt.kind and d.itemsize == dt.itemsize):
            return name
    raise ValueError(f"unsupported dtype {a.dtype}")


def serialize(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    header: dict = {"__metadata__": dict(metadata)} if metadata else {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("metadata keys and values must be strings")
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = tensors[name]
        dt = dtype_name(a)
        raw = np.ascontiguousarray(a, dtype=DTYPES[dt]).tobytes()
        pad = (-offset) % 8
        if pad:
            blobs.append(b"\0" * pad)
            offset += pad
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * ((-len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def deserialize(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    if len(data) < 8:
        raise ValueError("safetensors: shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"safetensors: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dt = DTYPES[info["dtype"]]
        shape = tuple(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * dt.itemsize or end > len(body):
            raise ValueError(f"safetensors: tensor {name} has inconsistent offsets")
        tensors[name] = np.frombuffer(body[begin:end], dtype=dt).reshape(shape)
    return tensors, metadata


def write(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    data = serialize(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)
    return data


def read(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    with open(path, "rb") as f:
        return deserialize(f.read())
