import json
import struct

import numpy as np
import pytest

import safetensors_io


def test_round_trip_keeps_values_dtypes_and_metadata():
    t = {"b.x": np.arange(5, dtype=np.int8), "a.w": np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3),
         "c": np.array([-7, 2**30], dtype=np.int32)}
    data = safetensors_io.serialize(t, {"format": "x", "graph": "{}"})
    got, meta = safetensors_io.deserialize(data)
    assert meta == {"format": "x", "graph": "{}"}
    for k in t:
        assert got[k].dtype == t[k].dtype and np.array_equal(got[k], t[k])


def test_layout_sorted_aligned_and_header_padded():
    t = {"z": np.ones(3, np.int8), "a": np.ones(5, np.int8), "m": np.ones(2, np.float32)}
    data = safetensors_io.serialize(t, {"k": "v"})
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8:8 + n])
    names = [k for k in header if k != "__metadata__"]
    begins = [header[k]["data_offsets"][0] for k in sorted(names)]
    assert begins == sorted(begins) and all(b % 8 == 0 for b in begins)
    assert header["a"]["data_offsets"] == [0, 5] and header["m"]["data_offsets"][0] == 8
    assert data[8:8 + n].decode().rstrip(" ") == json.dumps(header, sort_keys=True, separators=(",", ":"))


def test_same_input_same_bytes_and_metadata_must_be_strings():
    t = {"w": np.arange(4, dtype=np.int32)}
    assert safetensors_io.serialize(t, {"a": "1"}) == safetensors_io.serialize(dict(t), {"a": "1"})
    with pytest.raises(TypeError):
        safetensors_io.serialize(t, {"a": 1})


def test_truncated_file_is_rejected():
    data = safetensors_io.serialize({"w": np.arange(16, dtype=np.int32)}, {})
    with pytest.raises(ValueError):
        safetensors_io.deserialize(data[:-4])
