"""The student's side of a graded call: the only grading code that runs in the student's kernel.

``install()`` (run once in a new kernel) makes the kernel answer messages of type
``convstep_request`` on its shell channel with a ``convstep_reply``. A request names a graded answer
of the student's notebook and carries the arguments as plain data (``convstep.wire``: a JSON header
and the arrays' raw bytes as message buffers). The answer is plain data too: the return value of the
call, or the error it raised. Arguments arrive read-only; when the grader asks for writable ones
(after the function failed writing into a read-only input), the reply also says which arguments the
call changed, which only words the test's message. Nothing here can change a verdict: the grader
judges what comes back, and a student who rewrites this module only spoils the answers of their own
functions.
"""

import numpy as np

from convstep import wire

REQUEST, REPLY = "convstep_request", "convstep_reply"
MAX_NAME = 200       # characters of an error's type name that are sent back
MAX_MESSAGE = 2000   # characters of an error's message


def install():
    """Answer the grader's requests in this kernel (called through ``user_expressions``)."""
    from IPython import get_ipython

    kernel = get_ipython().kernel
    kernel.shell_handlers[REQUEST] = lambda stream, ident, msg: _handle(kernel, stream, ident, msg)
    return "installed"


def _handle(kernel, stream, ident, msg):
    from IPython import get_ipython

    text, buffers = serve(msg["content"].get("request"), msg.get("buffers", []), get_ipython().user_ns)
    kernel.session.send(stream, REPLY, {"answer": text}, parent=msg, ident=ident, buffers=buffers)


def serve(text, buffers, namespace):
    """Answer one request of the grader: its (header, buffers) in, the reply's (header, buffers) out."""
    try:
        request = wire.decode(text, buffers, writable=False)
        name, writable = request["name"], request["writable"]
        args, kwargs = request["args"], dict(request["kwargs"])
    except (wire.WireError, KeyError, TypeError) as error:
        return wire.encode({"error": ["TypeError", f"a malformed request: {error}"]})
    if writable:  # a copy the function may change; the change is only reported
        args, kwargs = wire.decode(*wire.encode(args)), wire.decode(*wire.encode(kwargs))
    if name not in namespace:
        answer = {"missing": True}
    else:
        answer = call(namespace[name], args, kwargs, writable)
    try:
        return wire.encode(answer)
    except wire.WireError as error:  # only a call's result can fail here: the rest was checked
        result = type(answer.get("result")).__name__
        return wire.encode({"error": ["TypeError", f"it returned a {result}, which cannot be checked: {error}"]})


def call(function, args, kwargs, writable):
    """Run the student's function; its result or its error (and, on writable inputs, what it changed)."""
    before = {key: wire.encode(value) for key, value in _arguments(args, kwargs)} if writable else {}
    try:
        result = function(*args, **kwargs)
    except BaseException as error:  # SystemExit and KeyboardInterrupt too: the grader decides what they mean
        return {"error": [type(error).__name__[:MAX_NAME], str(error)[:MAX_MESSAGE]]}
    if isinstance(result, np.ndarray) and type(result) is not np.ndarray:
        result = np.asarray(result)  # a subclass (np.matrix, a masked array) is checked as its numbers
    answer = {"result": result}
    if writable:
        answer["changed"] = [key for key, value in _arguments(args, kwargs) if _encoded(value) != before[key]]
    return answer


def _arguments(args, kwargs):
    return [*enumerate(args), *kwargs.items()]


def _encoded(value):
    try:
        return wire.encode(value)
    except wire.WireError:
        return None  # changed into something that cannot even be described
