"""The plain-data wire between the grader and a student's kernel: exact round trips, read-only on the
student's side, and nothing else crosses."""

import json

import numpy as np
import pytest

from convstep import wire

ROUND_TRIPS = [
    None, True, False, 0, -7, 2 ** 100, 1.5, float("inf"), -0.0, 1e-300, 3 + 4j, "text", "",
    (1, 2.0, "a"), [1, [2, (3,)]], {"stride": 2, "pad": 1}, {1: "one"}, (),
    np.arange(12.0).reshape(3, 4), np.zeros((2, 0, 3)), np.array([True, False]), np.array(5.0),
    np.arange(6, dtype=np.int8).reshape(2, 3), np.array([1 + 2j], dtype=np.complex64),
    np.float64(0.25), np.int32(-3), np.bool_(True), np.float32(1.5),
    (np.ones((2, 2)), (np.zeros(3), {"f": 2, "stride": 1})),
]


def same(back, value):
    """Equal in type, dtype, shape and value, all the way down."""
    if type(back) is not type(value):
        return False
    if isinstance(value, (np.ndarray, np.generic)):
        return back.dtype == value.dtype and np.shape(back) == np.shape(value) and bool(np.array_equal(back, value))
    if isinstance(value, (tuple, list)):
        return len(back) == len(value) and all(same(b, v) for b, v in zip(back, value))
    if isinstance(value, dict):
        return list(back) == list(value) and all(same(back[k], value[k]) for k in value)
    return back == value and str(back) == str(value)  # str tells -0.0 from 0.0


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: type(v).__name__)
def test_plain_data_round_trips_exactly(value):
    assert same(wire.decode(*wire.encode(value)), value)


def test_arrays_cross_as_raw_bytes_beside_the_header():
    big = np.random.default_rng(0).standard_normal((64, 64, 3))
    text, buffers = wire.encode({"A": big})
    assert len(text) < 200 and buffers == [big.tobytes()]
    back = wire.decode(text, buffers)
    assert np.array_equal(back["A"], big) and back["A"].flags.writeable  # the grader's copy is its own
    value = np.array([np.nan, np.inf, -np.inf, 1.0])
    assert np.array_equal(wire.decode(*wire.encode(value)), value, equal_nan=True)


def test_the_students_side_gets_inputs_it_cannot_change():
    a, h, lst = wire.decode(*wire.encode((np.arange(4.0), {"stride": 2}, [1, 2])), writable=False)
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 5
    with pytest.raises(ValueError):
        a.flags.writeable = True  # a view of immutable bytes: numpy refuses
    with pytest.raises(ValueError, match="read-only"):
        a += 1
    for change in (lambda: h.__setitem__("pad", 1), lambda: h.update(pad=1), lambda: h.pop("stride"),
                   lambda: lst.append(3), lambda: lst.sort(), lambda: lst.__setitem__(0, 9)):
        with pytest.raises(TypeError, match="read-only"):
            change()
    # reading works as on the real types, and what the function returns crosses back as plain data
    assert h["stride"] == 2 and dict(h) == {"stride": 2} and isinstance(h, dict) and lst == [1, 2]
    assert same(wire.decode(*wire.encode((a, h, lst))), (np.arange(4.0), {"stride": 2}, [1, 2]))


def test_non_contiguous_and_big_endian_arrays_cross_as_numbers():
    array = np.arange(24.0).reshape(4, 6)[:, ::2]
    assert np.array_equal(wire.decode(*wire.encode(array)), array)
    swapped = np.arange(3, dtype=">f8")
    assert np.array_equal(wire.decode(*wire.encode(swapped)), [0.0, 1.0, 2.0])


class Liar:
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [
    Liar(), lambda: 1, np.array([Liar()], dtype=object), np.zeros(2, dtype=[("a", "f8")]), np.array(["a"]),
    {(1, 2): 3}, {1.5: 2}, type("T", (tuple,), {})((1,)), type("D", (dict,), {})(), type("F", (float,), {})(1.0),
    b"bytes", {1, 2}, range(3),
], ids=lambda v: type(v).__name__)
def test_anything_else_is_refused(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


def test_limits_refuse_the_whole_message():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper"):
        wire.encode(deep)
    with pytest.raises(wire.WireError, match="parts"):
        wire.encode(list(range(wire.MAX_ITEMS + 1)))
    with pytest.raises(wire.WireError, match="too large"):
        wire.encode(np.zeros(wire.MAX_BUFFER // 8 + 1))


ARRAY = {"dtype": "<f8", "shape": [1], "buffer": 0}


@pytest.mark.parametrize("text, buffers", [
    ("not json", []), ("[" * 100000 + "]" * 100000, []), (json.dumps({"v": [1]}), []),
    (json.dumps({"float": "1e999999x"}), []), (json.dumps({"int": "1" * 5000}), []), (json.dumps({"a": 1, "b": 2}), []),
    (json.dumps([1, 2]), []), (json.dumps({"array": ARRAY | {"dtype": "|O"}}), [bytes(8)]),
    (json.dumps({"array": ARRAY | {"shape": [2]}}), [bytes(8)]),
    (json.dumps({"array": ARRAY | {"shape": [-1]}}), [b""]),
    (json.dumps({"array": ARRAY | {"dtype": "V8"}}), [bytes(8)]),
    (json.dumps({"scalar": ARRAY}), [bytes(8)]),
    (json.dumps({"dict": [[{"float": "1.0"}, {"v": 1}]]}), []),
    (json.dumps({"array": ARRAY}), []),                                # the buffer is missing
    (json.dumps({"array": ARRAY | {"buffer": 1}}), [bytes(8)]),         # another buffer than there is
    (json.dumps({"array": ARRAY}), [bytes(8), bytes(8)]),               # a buffer of no value
    (json.dumps({"tuple": [{"array": ARRAY}, {"array": ARRAY}]}), [bytes(8)]),  # one buffer read twice
])
def test_malformed_messages_are_refused(text, buffers):
    with pytest.raises(wire.WireError):
        wire.decode(text, buffers)
