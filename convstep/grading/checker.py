"""The trusted checker: runs a notebook's test cells in the grader, against the student's kernel.

Under autograde a test cell never runs in the student's kernel. It runs here, in the grader's own
process, with the gradebook's code (``convstep.grading.plan``), in a namespace the checker owns: the
notebook's locked code (setup imports, provided functions) and the earlier test cells run here too,
so every helper, reference and provided function a test uses is the checker's own. Only the graded
answers — the functions the solution cells define — resolve to the student's notebook, as a
``RemoteFunction`` that runs the student's function *there* on read-only copies of its arguments;
any other name is a NameError. Only plain data crosses (``convstep.wire``), so the student's code
never sees a test, an expected value or the checker's objects, and cannot make its answers change
what they are compared with. The verdict (the cell's output, or its error) is written by this
process, and the student's process is frozen whenever it is not answering a call, so that nothing
it runs can slow the checker's own work (the speed tests time their references here).

The same test cells run unchanged in a student's own kernel, where the names are simply there.
"""

import builtins
import contextlib
import io
import logging
import sys
import time
import traceback
import warnings

from convstep import checks
from convstep import wire

MAX_NAME = 100      # characters of an error's type name kept from the student's side
MAX_MESSAGE = 2000  # characters of an error's message
# Errors that a loop or a generator in a test would take as "done" rather than as a failure.
CONTROL_FLOW = (StopIteration, StopAsyncIteration)
# What numpy, and convstep.wire's read-only dicts and lists, say when a function writes into them.
READ_ONLY = ("read-only", "read only")


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
    yet"); anything else, including SystemExit, KeyboardInterrupt and StopIteration (which would end
    a test's loop early), becomes a StudentError of the same name, so that no student can raise
    something the checker would not catch, or would take for something else.
    """
    name = name[:MAX_NAME] if isinstance(name, str) else ""
    message = message[:MAX_MESSAGE] if isinstance(message, str) else ""
    known = getattr(builtins, name, None)
    if isinstance(known, type) and issubclass(known, Exception) and not issubclass(known, CONTROL_FLOW):
        return known(message)
    name = name if name.isidentifier() else "Exception"
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
    """A test cell's globals: what the checker's cells defined, then the built-ins, then the graded
    answers (the student's functions); any other name is undefined."""

    def __init__(self, checker):
        super().__init__(__name__="__main__", __builtins__=builtins)
        self._checker = checker

    def __missing__(self, name):
        if hasattr(builtins, name) or name not in self._checker.answers:
            raise KeyError(name)  # Python then looks in the built-ins, or raises NameError
        return self._checker.functions.setdefault(name, RemoteFunction(self._checker, name))


class Checker:
    """Runs the checker's cells of one notebook; ``student`` answers calls in the student's kernel.

    ``answers`` are the names of the graded answers. ``student.request(text, buffers, timeout)``
    sends a request (``convstep.grading.kernelside``) and returns the reply's (text, buffers); it
    raises CallTimeout when the kernel was interrupted at the deadline and answered, KernelLost
    when it died or did not answer.
    """

    def __init__(self, student, answers, max_output=1024 * 1024):
        self.student = student
        self.answers = frozenset(answers)
        self.max_output = max_output
        self.namespace = Namespace(self)
        self.functions = {}
        self.call_seconds = None  # what the calls of the running cell may still take together
        self.deadline = None      # when every call must be done (the notebook's budget), monotonic
        self.timed_out = False    # whether a call of the last cell ran past its time

    # ------------------------------------------------------------ the student's functions

    def call(self, name, args, kwargs):
        """Call the student's function ``name``. Its arguments arrive read-only; if it fails writing
        into one, it is called again on writable copies, and what it wrote into is recorded for
        ``check_unchanged``: a test of other things still sees its result."""
        given = dict(enumerate(args)) | kwargs
        reply = self._call(name, args, kwargs, writable=False)
        if "error" in reply and _writes_input(reply["error"]):
            reply = self._call(name, args, kwargs, writable=True)
            written = [key for key in reply.get("changed", []) if key in given] or list(given)
            for key in written:
                checks.record_write(given[key], name)
        if "missing" in reply:
            raise NameError(f"{name} is not defined in your notebook: run the cell that defines it, "
                            "and keep its name", name=name)
        if "error" in reply:
            raise student_error(*reply["error"])
        return reply["result"]

    def _call(self, name, args, kwargs, writable):
        limits = [t for t in (self.call_seconds, None if self.deadline is None else self.deadline - time.monotonic())
                  if t is not None]
        remaining = min(limits) if limits else None
        if remaining is not None and remaining <= 0:
            self.timed_out = True
            raise CallTimeout("the time limit of this test was used up before the call")
        try:
            request = wire.encode({"name": name, "args": tuple(args), "kwargs": dict(kwargs), "writable": writable})
        except wire.WireError as error:
            raise TypeError(f"cannot pass these arguments to {name}: {error}") from None
        started = time.monotonic()
        try:
            reply = wire.decode(*self.student.request(*request, remaining))
        except CallTimeout:
            self.timed_out = True
            raise
        except wire.WireError as error:
            raise TypeError(f"{name} answered with what cannot be checked: {error}") from None
        finally:
            if self.call_seconds is not None:
                self.call_seconds -= time.monotonic() - started
        if not (isinstance(reply, dict) and ("result" in reply or "missing" in reply or _is_error(reply.get("error")))):
            raise TypeError(f"{name} answered with what cannot be checked: a malformed reply")
        return reply

    # ------------------------------------------------------------ test cells

    def run(self, code, label, timeout=None, deadline=None):
        """Execute one test cell; return its outputs as nbformat dicts (stdout, stderr, error).

        The student's functions it calls may take ``timeout`` seconds in all (the checker's own work,
        such as timing a reference, is not theirs to pay for), and none may run past ``deadline``
        (``time.monotonic()``: the notebook's budget).

        A KernelLost (or any other BaseException) raised by a call propagates after the outputs so
        far are attached to it.
        """
        self.call_seconds, self.deadline = timeout, deadline
        self.timed_out = False
        stdout, stderr = io.StringIO(), io.StringIO()
        error = None
        checks.forget_writes()
        try:
            # Warnings are not verdicts, and here they would include the grader's own (an event
            # loop collected mid-cell): only what the test itself writes to stderr fails it.
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
                    warnings.catch_warnings(), grader_noise_logged():
                warnings.simplefilter("ignore")
                exec(compile(code, f"<{label}>", "exec"), self.namespace)
        except Exception as exc:  # the cell failed: its error becomes its output, as in a kernel
            error = _error_output(exc, label)
        except BaseException as lost:  # the kernel lost or forging, the grader's Ctrl-C: not a verdict
            lost.outputs = _streams(stdout, stderr, self.max_output)
            raise
        finally:
            self.call_seconds = self.deadline = None
        return _streams(stdout, stderr, self.max_output) + ([error] if error else [])


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


def _is_error(error):
    return isinstance(error, list) and len(error) == 2 and all(isinstance(part, str) for part in error)


def _writes_input(error):
    """Whether the student's function failed by writing into one of its (read-only) inputs."""
    return error[0] in ("ValueError", "TypeError") and any(words in error[1] for words in READ_ONLY)


def _capped(text, limit):
    return text if len(text) <= limit else text[:limit] + f"\n[grader: {len(text) - limit} more characters dropped]\n"


def _streams(stdout, stderr, limit):
    return [{"output_type": "stream", "name": name, "text": _capped(text, limit)}
            for name, text in [("stdout", stdout.getvalue()), ("stderr", stderr.getvalue())] if text]


def _error_output(exc, label):
    """The error as the student will read it: type and message, and the line of the test, never
    the code of the test. Both are capped: a message may quote what the student's code returned."""
    name, message = type(exc).__name__[:MAX_NAME], _capped(str(exc), 10 * MAX_MESSAGE)
    lines = [f"{name}: {message}"]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == f"<{label}>"]
    if frames and not isinstance(exc, AssertionError):
        lines.append(f"(at line {frames[-1].lineno} of the test)")
    return {"output_type": "error", "ename": name, "evalue": message, "traceback": lines}
