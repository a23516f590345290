"""Property-based tests of the codec: ``decode`` answers any input with a value or CodecError.

A worker's reply is whatever the student's process writes on its socket, so the grader's
decoder must never fail in another way (an AttributeError or OverflowError would escape as a
grader bug and leave the worker alive). Hypothesis drives it with arbitrary bytes, arbitrary
JSON, and JSON shaped like the codec's own tags with wrong contents.
"""

import json
import math
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from autograder.grading import codec

pytestmark = pytest.mark.slow   # hundreds of generated messages per test (tests/test_codec.py is the fast tier's)

# Hypothesis caches what it learns in ./.hypothesis by default; keep the repository clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "course-autograder-hypothesis")

FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
TAGS = ["dict", "tuple", "float", "nd", "np", "pt", "h", "zzz"]

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
           | st.sampled_from(["nan", "inf", "-inf", "a0", "int8", "uint64", "float16", "bool", "object"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["$t", "v", "k", "dtype", "id", "items", "type"]) | st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def tagged(draw, depth=0):
    """A JSON object with a real tag and fields of any shape (the likeliest forgeries)."""
    doc = {"$t": draw(st.sampled_from(TAGS))}
    for key in draw(st.lists(st.sampled_from(["v", "k", "dtype", "id", "items"]), max_size=3, unique=True)):
        doc[key] = draw(tagged(depth + 1) if depth < 3 and draw(st.booleans()) else json_values)
    return doc


def frame(doc, blob: bytes = b"") -> bytes:
    header = json.dumps(doc).encode()
    return struct.pack("<Q", len(header)) + header + blob


def decode_or_codec_error(data: bytes):
    try:
        return codec.decode(data, lambda tag: ("handle", tag["id"]))
    except codec.CodecError:
        return None


@FUZZ
@given(st.binary(max_size=512))
def test_arbitrary_bytes(data):
    decode_or_codec_error(data)


@FUZZ
@given(json_values | tagged(), st.binary(max_size=64))
def test_arbitrary_json_with_any_blob(doc, blob):
    decode_or_codec_error(frame(doc, blob))


@FUZZ
@given(st.lists(tagged(), min_size=1, max_size=4))
def test_forged_tags_next_to_a_real_array(docs):
    """Tags that point at arrays, with a well-formed safetensors blob behind them."""
    real = codec.encode([np.arange(3, dtype=np.int16), np.ones((2, 2), dtype=np.float32)], lambda obj: {})
    (hlen,) = struct.unpack("<Q", real[:8])
    decode_or_codec_error(frame(docs, real[8 + hlen:]))


@FUZZ
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=2**64 - 1))
def test_lying_header_lengths(body, length):
    decode_or_codec_error(struct.pack("<Q", length) + body)


plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**62), max_value=2**62) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=4), inner,
                                                                                             max_size=4),
    max_leaves=20,
)


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@FUZZ
@given(plain)
def test_plain_values_roundtrip_with_their_types(value):
    assert same(codec.decode(codec.encode(value, lambda obj: {}), None), value)
