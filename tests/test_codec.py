import math

import numpy as np
import pytest

from autograder.grading import codec


def roundtrip(value):
    handles = []

    def other(obj):
        handles.append(obj)
        return {"$t": "h", "id": len(handles)}

    data = codec.encode(value, other)
    return codec.decode(data, lambda tag: ("handle", tag["id"])), handles


def test_plain_values_come_back_equal_and_typed():
    value = {"a": [1, 2.5, None, True, "s"], "t": (1, (2, 3)), 3: "int key", "nan": float("nan")}
    back, handles = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s"] and back["t"] == (1, (2, 3)) and back[3] == "int key"
    assert math.isnan(back["nan"]) and not handles


def test_arrays_and_scalars_keep_dtype_and_shape():
    arrays = {"f": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([True, False]),
              "e": np.zeros((0, 4)), "s": np.float64(2.5), "i": np.int16(-3), "z": np.array(2.0),
              "t": np.arange(6.0).reshape(2, 3).T}
    back, _ = roundtrip(arrays)
    assert back["z"].shape == () and back["t"].shape == (3, 2) and np.array_equal(back["t"], arrays["t"])
    for key in ("f", "b", "e", "z"):
        assert type(back[key]) is np.ndarray and back[key].dtype == arrays[key].dtype
        np.testing.assert_array_equal(back[key], arrays[key])
    assert type(back["s"]) is np.float64 and back["s"] == 2.5
    assert type(back["i"]) is np.int16 and back["i"] == -3


def test_non_plain_values_become_handles():
    class Lying(np.ndarray):
        def __eq__(self, other):
            return True

    odd = [np.array([object()], dtype=object), np.zeros(2).view(Lying), 1 + 2j, object()]
    back, handles = roundtrip(odd)
    assert back == [("handle", 1), ("handle", 2), ("handle", 3), ("handle", 4)]
    assert len(handles) == 4


def test_torch_tensors_roundtrip():
    torch = pytest.importorskip("torch")
    t = torch.randn(2, 3, requires_grad=True)
    back, _ = roundtrip({"t": t, "bf": t.detach().to(torch.bfloat16), "0d": torch.tensor(1.5)})
    assert type(back["t"]) is torch.Tensor and torch.equal(back["t"], t.detach())
    assert back["0d"].shape == () and float(back["0d"]) == 1.5
    assert back["bf"].dtype == torch.bfloat16


@pytest.mark.parametrize("blob", [b"", b"\x05\x00\x00\x00\x00\x00\x00\x00{bad}", b"\xff" * 8 + b"x"])
def test_malformed_messages_raise_codec_error(blob):
    with pytest.raises(codec.CodecError):
        codec.decode(blob, lambda tag: None)


def test_forged_tags_are_rejected():
    import json
    import struct

    for doc in ({"$t": "np", "dtype": "object", "v": 1}, {"$t": "nd", "k": "missing"}, {"$t": "zzz"}):
        header = json.dumps(doc).encode()
        with pytest.raises(codec.CodecError):
            codec.decode(struct.pack("<Q", len(header)) + header, lambda tag: None)
