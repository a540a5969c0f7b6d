"""Plain data across the boundary between the grader and a student's kernel.

Under autograde the test cells run in the grader and the student's functions in the student's
kernel; arguments go one way and results come back the other. A value crosses as a JSON header
and the raw bytes of its arrays (one buffer each, sent beside the header as the Jupyter protocol
sends binary buffers: no base64, no text). Only plain data can be written or read: None, bool, int,
float, complex, str, tuple, list, dict (str or int keys), and numpy arrays and scalars of a numeric
or bool dtype. Nothing is ever unpickled, no object of the sender's making is ever created, and a
message past the size, depth or item limits is refused as a whole — so what comes back is exactly
the numbers the student's code produced.

On the student's side values are decoded read-only (``writable=False``): an array is a view of an
immutable bytes object, which numpy will not make writable again, and a dict or list refuses to be
changed. A function that writes into its inputs then fails in its own code, and no report of what
it changed is needed.
"""

import json
import math

import numpy as np

# dtype kinds that hold plain numbers: bool, signed, unsigned, float, complex
NUMERIC_KINDS = "biufc"
MAX_DEPTH = 32
MAX_ITEMS = 100_000
MAX_TEXT = 4 * 1024 * 1024         # characters of a header
MAX_BUFFER = 8 * 1024 * 1024       # bytes of one array (the grader's sockets take no larger frame)
MAX_BYTES = 64 * 1024 * 1024       # bytes of all the arrays of one message


class WireError(ValueError):
    """A value that cannot cross: its type, its size, or a malformed message."""


class ReadOnlyError(TypeError):
    """A read-only input was changed (the message says so, as numpy's does for its arrays)."""


def _refuse(self, *args, **kwargs):
    raise ReadOnlyError(f"this {type(self).__bases__[0].__name__} is an input of the function and is read-only")


class FrozenDict(dict):
    """A dict argument as the student's function receives it: reading works, changing raises."""

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse


class FrozenList(list):
    """A list argument as the student's function receives it: reading works, changing raises."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = clear = extend = insert = pop = remove = \
        reverse = sort = _refuse


def encode(value):
    """(JSON header, [array bytes]) for ``value``; raises WireError for anything that is not plain data."""
    buffers = []
    text = json.dumps(_pack(value, 0, [0], buffers), separators=(",", ":"))
    if len(text) > MAX_TEXT:
        raise WireError(f"the value is too large to send ({len(text) // 1024} kB of numbers outside arrays)")
    if sum(len(b) for b in buffers) > MAX_BYTES:
        raise WireError(f"the value is too large to send (more than {MAX_BYTES // 2**20} MB of arrays)")
    return text, buffers


def decode(text, buffers=(), writable=True):
    """The value that ``encode`` wrote; raises WireError for anything else. ``writable=False``
    gives read-only arrays, dicts and lists (the student's side)."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise WireError("the message is missing or too large")
    buffers = list(buffers)
    if len(buffers) > MAX_ITEMS or sum(len(b) for b in buffers) > MAX_BYTES:
        raise WireError("the message holds too many or too large arrays")
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"the message is not valid JSON ({type(error).__name__})") from None
    used = set()
    value = _unpack(tree, 0, [0], buffers, used, writable)
    if len(used) != len(buffers):
        raise WireError("the message holds arrays that belong to no value")
    return value


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


def _pack(value, depth, counter, buffers):
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
    if kind in (tuple, list, FrozenList):
        tag = "tuple" if kind is tuple else "list"
        return {tag: [_pack(item, depth + 1, counter, buffers) for item in value]}
    if kind in (dict, FrozenDict):
        if not all(type(key) in (str, int) for key in value):
            raise WireError("only dictionaries with string or integer keys can be checked")
        return {"dict": [[_pack(k, depth + 1, counter, buffers), _pack(v, depth + 1, counter, buffers)]
                         for k, v in value.items()]}
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        header = _array_header(array)
        if array.nbytes > MAX_BUFFER:
            raise WireError(f"an array of {array.nbytes // 2**20} MB is too large to check "
                            f"(at most {MAX_BUFFER // 2**20} MB)")
        buffers.append(np.ascontiguousarray(array, dtype=header).tobytes())
        packed = {"dtype": header, "shape": list(array.shape), "buffer": len(buffers) - 1}
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


def _unpack(tree, depth, counter, buffers, used, writable):
    _count(depth, counter)
    if not isinstance(tree, dict) or len(tree) != 1:
        raise WireError("a malformed value")
    (tag, body), = tree.items()
    inner = lambda item: _unpack(item, depth + 1, counter, buffers, used, writable)  # noqa: E731
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
        items = [inner(item) for item in body]
        return tuple(items) if tag == "tuple" else items if writable else FrozenList(items)
    elif tag == "dict" and isinstance(body, list):
        result = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a malformed dictionary")
            key = inner(pair[0])
            if type(key) not in (str, int):
                raise WireError("a malformed dictionary key")
            result[key] = inner(pair[1])
        return result if writable else FrozenDict(result)
    elif tag in ("array", "scalar") and isinstance(body, dict):
        return _unpack_array(body, tag == "scalar", buffers, used, writable)
    raise WireError("a malformed value")


def _unpack_array(body, scalar, buffers, used, writable):
    try:
        dtype = np.dtype(body["dtype"])
        shape = tuple(body["shape"])
        index = body["buffer"]
    except (KeyError, TypeError, ValueError):
        raise WireError("a malformed array") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None \
            or dtype.str != dtype.newbyteorder("<").str:
        raise WireError("an array of a dtype that cannot be checked")
    if not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32 or (scalar and shape):
        raise WireError("an array of a malformed shape")
    if type(index) is not int or not 0 <= index < len(buffers) or index in used:
        raise WireError("an array whose data is missing")
    used.add(index)
    data = bytes(buffers[index])  # immutable: numpy cannot make a view of it writable
    if math.prod(shape) * dtype.itemsize != len(data):
        raise WireError("an array whose data does not match its shape")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    native = dtype.newbyteorder("=")
    if writable:
        array = array.astype(native)  # a copy the test may change, in this machine's byte order
    elif native.str != dtype.str:
        array = np.frombuffer(array.astype(native).tobytes(), dtype=native).reshape(shape)
    return array[()] if scalar else array
