"""Plain data across the boundary between the grader and a student's kernel.

Under autograde the test cells run in the grader and the student's functions in the student's
kernel; arguments go one way and results come back the other, as JSON text built here. Only plain
data can be written or read: None, bool, int, float, complex, str, tuple, list, dict (str or int
keys), and numpy arrays and scalars of a numeric or bool dtype. Nothing is ever unpickled, no
object of the sender's making is ever created, and a message past the size, depth or item limits
is refused as a whole — so what comes back is exactly the numbers the student's code produced.
"""

import base64
import json
import math

import numpy as np

# dtype kinds that hold plain numbers: bool, signed, unsigned, float, complex
NUMERIC_KINDS = "biufc"
MAX_DEPTH = 32
MAX_ITEMS = 100_000
MAX_TEXT = 32 * 1024 * 1024  # characters of one message; the sockets cap it before this anyway


class WireError(ValueError):
    """A value that cannot cross: its type, its size, or a malformed message."""


def encode(value):
    """JSON text for ``value``; raises WireError for anything that is not plain data."""
    counter = [0]
    text = json.dumps(_pack(value, 0, counter), separators=(",", ":"))
    if len(text) > MAX_TEXT:
        raise WireError(f"the value is too large to send ({len(text) // 1024} kB)")
    return text


def decode(text):
    """The value that ``encode`` wrote; raises WireError for anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise WireError("the message is missing or too large")
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"the message is not valid JSON ({type(error).__name__})") from None
    return _unpack(tree, 0, [0])


def _count(depth, counter):
    counter[0] += 1
    if depth > MAX_DEPTH:
        raise WireError(f"the value is nested deeper than {MAX_DEPTH} levels")
    if counter[0] > MAX_ITEMS:
        raise WireError(f"the value has more than {MAX_ITEMS} parts")


def _array_header(array):
    dtype = array.dtype
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"an array of dtype {dtype} cannot be checked (numbers or booleans only)")
    return dtype.newbyteorder("<").str


def _pack(value, depth, counter):
    _count(depth, counter)
    kind = type(value)
    if value is None or kind in (bool, str):
        return {"v": value}
    if kind is int:
        return {"int": str(value)}  # JSON numbers lose big ints; strings do not
    if kind is float:
        return {"float": repr(value)}  # repr round-trips exactly, nan and inf included
    if kind is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if kind in (tuple, list):
        return {kind.__name__: [_pack(item, depth + 1, counter) for item in value]}
    if kind is dict:
        if not all(type(key) in (str, int) for key in value):
            raise WireError("only dictionaries with string or integer keys can be checked")
        return {"dict": [[_pack(k, depth + 1, counter), _pack(v, depth + 1, counter)] for k, v in value.items()]}
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        header = _array_header(array)
        data = np.ascontiguousarray(array, dtype=header).tobytes()
        packed = {"dtype": header, "shape": list(array.shape), "data": base64.b64encode(data).decode()}
        return {"scalar" if isinstance(value, np.generic) else "array": packed}
    raise WireError(f"a value of type {kind.__name__} cannot be checked "
                    "(numbers, numpy arrays, tuples, lists and dictionaries only)")


def _number(text, convert):
    if not isinstance(text, str) or len(text) > 400:
        raise WireError("a malformed number")
    try:
        return convert(text)
    except ValueError:
        raise WireError("a malformed number") from None


def _unpack(tree, depth, counter):
    _count(depth, counter)
    if not isinstance(tree, dict) or len(tree) != 1:
        raise WireError("a malformed value")
    (tag, body), = tree.items()
    if tag == "v":
        if body is None or type(body) in (bool, str):
            return body
    elif tag == "int":
        return _number(body, int)
    elif tag == "float":
        return _number(body, float)
    elif tag == "complex" and isinstance(body, list) and len(body) == 2:
        return complex(_number(body[0], float), _number(body[1], float))
    elif tag in ("tuple", "list") and isinstance(body, list):
        items = [_unpack(item, depth + 1, counter) for item in body]
        return tuple(items) if tag == "tuple" else items
    elif tag == "dict" and isinstance(body, list):
        result = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a malformed dictionary")
            key = _unpack(pair[0], depth + 1, counter)
            if type(key) not in (str, int):
                raise WireError("a malformed dictionary key")
            result[key] = _unpack(pair[1], depth + 1, counter)
        return result
    elif tag in ("array", "scalar") and isinstance(body, dict):
        return _unpack_array(body, tag == "scalar")
    raise WireError("a malformed value")


def _unpack_array(body, scalar):
    try:
        dtype = np.dtype(body["dtype"])
        shape = tuple(body["shape"])
        data = base64.b64decode(body["data"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise WireError("a malformed array") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None \
            or dtype.str != dtype.newbyteorder("<").str:
        raise WireError("an array of a dtype that cannot be checked")
    if not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32 or (scalar and shape):
        raise WireError("an array of a malformed shape")
    if math.prod(shape) * dtype.itemsize != len(data):
        raise WireError("an array whose data does not match its shape")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    return array[()] if scalar else array
