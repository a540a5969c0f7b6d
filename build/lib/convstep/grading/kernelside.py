"""The student's side of a graded call: the only grading code that runs in the student's kernel.

The grader asks, through the kernel's own messaging, for ``serve(request)`` to be evaluated; the
request names something in the student's notebook and, for a call, carries the arguments as plain
data (``convstep.grading.wire``). The answer is plain data too: what the name holds, or the return
value of the call with the arguments it changed, or the error it raised. Nothing here can change a
verdict: the grader judges what comes back, and a student who rewrites this module only spoils the
answers of their own functions.
"""

import types

import numpy as np

from convstep import wire


class Reply:
    """An answer whose text/plain form, which the kernel sends back, is the JSON itself."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def serve(request, namespace=None):
    """Answer one request of the grader: JSON text in, ``Reply`` out."""
    if namespace is None:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    request = wire.decode(request)
    name = request["name"]
    if name not in namespace:
        answer = {"missing": True}
    elif request["op"] == "lookup":
        answer = describe(namespace[name])
    else:
        answer = call(namespace[name], request["args"], request["kwargs"])
    try:
        return Reply(wire.encode(answer))
    except wire.WireError as error:  # only a call's result can fail here: the rest was checked
        result = type(answer.get("result")).__name__
        return Reply(wire.encode({"error": ["TypeError", f"it returned a {result}, which cannot be checked: {error}"]}))


def describe(value):
    """What a name of the student's notebook holds, as the grader may see it."""
    if isinstance(value, types.ModuleType):
        return {"module": value.__name__}
    if callable(value):
        return {"callable": True}
    try:
        wire.encode(value)
    except wire.WireError as error:
        return {"unsupported": str(error)}
    return {"data": value}


def call(function, args, kwargs):
    """Run the student's function; report its result, or its error, and what it did to its inputs."""
    before = {key: wire.encode(value) for key, value in _arguments(args, kwargs)}
    try:
        result = function(*args, **kwargs)
    except BaseException as error:  # SystemExit and KeyboardInterrupt too: the grader decides what they mean
        return {"error": [type(error).__name__, str(error)[:2000]]}
    if isinstance(result, np.ndarray) and type(result) is not np.ndarray:
        result = np.asarray(result)  # a subclass (np.matrix, a masked array) is checked as its numbers
    return {"result": result, "changed": changed(before, args, kwargs)}


def _arguments(args, kwargs):
    return [*enumerate(args), *kwargs.items()]


def changed(before, args, kwargs):
    """[[position or keyword, new value or None], ...] for the arguments the call modified."""
    found = []
    for key, value in _arguments(args, kwargs):
        try:
            if wire.encode(value) != before[key]:
                found.append([key, value])
        except wire.WireError:
            found.append([key, None])  # changed into something that cannot even be described
    return found
