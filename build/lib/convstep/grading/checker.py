"""The trusted checker: runs a notebook's test cells in the grader, against the student's kernel.

Under autograde a test cell never runs in the student's kernel. It runs here, in the grader's own
process, in a namespace where every name the cell does not define itself resolves to the student's
notebook: a function becomes a ``RemoteFunction`` that runs it *there* on copies of its arguments;
data comes back as a copy; a module is this process's own import of it. Only plain data crosses
(``convstep.grading.wire``), so the student's code never sees a test, an expected value or the
checker's objects, and cannot make its answers change what they are compared with. The verdict
(the cell's output, or its error) is written by this process.

The same test cells run unchanged in a student's own kernel, where the names are simply there.
"""

import builtins
import contextlib
import importlib
import io
import logging
import sys
import time
import traceback
import warnings

from convstep import checks
from convstep import wire

# Modules a test cell may use without importing them itself, because a locked cell of the notebook
# imported them (``import numpy as np``). Any other module a test needs, the test imports.
SHARED_MODULES = ("numpy", "math")


class StudentError(Exception):
    """Base of the errors raised by a student's function, re-created here by name."""


class CallTimeout(Exception):
    """A student's function ran past the time limit of the test cell that called it."""


class KernelLost(BaseException):
    """The student's kernel died (``died``) or stopped answering; the grader restarts it.

    A BaseException, so that a test's ``except Exception`` (around a call that is allowed to
    fail) does not swallow it.
    """

    def __init__(self, message, died=False):
        super().__init__(message)
        self.died = died
        self.outputs = []  # what the test cell printed before


def student_error(name, message):
    """The exception to raise here for an error the student's code raised there.

    Built-in exceptions keep their class (``call`` reports NotImplementedError as "not implemented
    yet"); anything else, including SystemExit or KeyboardInterrupt, becomes a StudentError of the
    same name, so that no student can raise something the checker would not catch.
    """
    known = getattr(builtins, name, None) if isinstance(name, str) else None
    if isinstance(known, type) and issubclass(known, Exception):
        return known(message)
    name = name if isinstance(name, str) and name.isidentifier() else "Exception"
    return type(name, (StudentError,), {})(message)


class RemoteFunction:
    """A function of the student's notebook, called by name in the student's kernel."""

    def __init__(self, checker, name):
        self._checker = checker
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return self._checker.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<student function {self.__name__}>"


class Namespace(dict):
    """A test cell's globals: its own names first, then the built-ins, then the student's names."""

    def __init__(self, checker):
        super().__init__(__name__="__main__", __builtins__=builtins)
        self._checker = checker

    def __missing__(self, name):
        if hasattr(builtins, name):
            raise KeyError(name)  # so that Python looks in the built-ins next
        return self._checker.resolve(name)


class Checker:
    """Runs the test cells of one notebook; ``student`` answers requests in the student's kernel.

    ``student.request(text, timeout)`` sends a request (``convstep.grading.kernelside``) and
    returns the reply text; it raises CallTimeout when the kernel was interrupted at the deadline
    and answered, KernelLost when it died or did not answer.
    """

    def __init__(self, student):
        self.student = student
        self.namespace = Namespace(self)
        self.shared = {}      # functions and modules, once resolved (never data: it may change)
        self.deadline = None
        self.timed_out = False  # whether a call of the last cell ran past its deadline

    # ------------------------------------------------------------ the student's names

    def resolve(self, name):
        if name in self.shared:
            return self.shared[name]
        reply = self._ask({"op": "lookup", "name": name})
        if "module" in reply and reply["module"] in SHARED_MODULES:
            self.shared[name] = importlib.import_module(reply["module"])
        elif "callable" in reply:
            self.shared[name] = RemoteFunction(self, name)
        elif "data" in reply:
            return reply["data"]
        elif "missing" in reply:
            raise KeyError(name)
        else:
            what = reply.get("unsupported") or f"the module {reply.get('module')!r}"
            raise NameError(f"the test uses {name!r} from your notebook, which holds what cannot be checked: {what}")
        return self.shared[name]

    def call(self, name, args, kwargs):
        try:
            request = {"op": "call", "name": name, "args": tuple(args), "kwargs": dict(kwargs)}
            reply = self._ask(request)
        except wire.WireError as error:
            raise TypeError(f"cannot pass these arguments to {name}: {error}") from None
        if "missing" in reply:
            raise NameError(f"name {name!r} is not defined")
        if "error" in reply:
            raise student_error(*reply["error"])
        given = dict(enumerate(args)) | kwargs
        for key, value in reply["changed"]:
            if key in given:
                checks.record_change(given[key], value)
        return reply["result"]

    def _ask(self, request):
        remaining = None if self.deadline is None else self.deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            self.timed_out = True
            raise CallTimeout("the time limit of this test was used up before the call")
        try:
            reply = wire.decode(self.student.request(wire.encode(request), remaining))
        except CallTimeout:
            self.timed_out = True
            raise
        if not isinstance(reply, dict):
            raise wire.WireError("a malformed reply")
        return reply

    # ------------------------------------------------------------ test cells

    def run(self, code, label, timeout=None):
        """Execute one test cell; return its outputs as nbformat dicts (stdout, stderr, error).

        A KernelLost raised by a call propagates after the outputs so far are attached to it.
        """
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.timed_out = False
        stdout, stderr = io.StringIO(), io.StringIO()
        error = None
        checks.forget_changes()
        try:
            # Warnings are not verdicts, and here they would include the grader's own (an event
            # loop collected mid-cell): only what the test itself writes to stderr fails it.
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
                    warnings.catch_warnings(), grader_noise_logged():
                warnings.simplefilter("ignore")
                exec(compile(code, f"<{label}>", "exec"), self.namespace)
        except KernelLost as lost:
            lost.outputs = _streams(stdout, stderr)
            raise
        except BaseException as exc:  # the cell failed: its error becomes its output, as in a kernel
            error = _error_output(exc, label)
        finally:
            self.deadline = None
        return _streams(stdout, stderr) + ([error] if error else [])


@contextlib.contextmanager
def grader_noise_logged():
    """Errors in the grader's own finalizers (objects collected while a test runs) go to the log,
    not to the test cell's stderr."""
    previous = sys.unraisablehook
    sys.unraisablehook = lambda info: logging.getLogger("convstep").debug("ignored in a test cell: %s", info.exc_value)
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _streams(stdout, stderr):
    return [{"output_type": "stream", "name": name, "text": text}
            for name, text in [("stdout", stdout.getvalue()), ("stderr", stderr.getvalue())] if text]


def _error_output(exc, label):
    """The error as the student will read it: type and message, and the line of the test, never
    the code of the test."""
    lines = [f"{type(exc).__name__}: {exc}"]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == f"<{label}>"]
    if frames and not isinstance(exc, AssertionError):
        lines.append(f"(at line {frames[-1].lineno} of the test)")
    return {"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": lines}
