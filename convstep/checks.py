"""Helpers the notebooks' test cells use to check a learner's function.

Every check raises ``CheckFailed`` (an ``AssertionError``) with a message that names the case that
was tried, what was expected and what came back, plus a hint when one is given (a string, or a
function returning one, called only when the check fails). Nothing here computes an exercise's
answer: expected values come from the test cells themselves.
"""

import os
import sys
import sysconfig
import time
import traceback
import warnings

import numpy as np

from convstep import wire

# Under ``nbgrader autograde`` the test cells run in convstep's checker, in the grader's process; the
# kernels convstep's grading starts carry GRADER_MARK. A test cell that runs in a kernel without it
# was run by nbgrader's own Execute: nbgrader_config.py failed to load (traitlets only logs that, and
# may have run part of it) and nbgrader is grading unsafely, in the student's kernel. Every test then
# fails and says why.
GRADER_MARK = "CONVSTEP_GRADER"
if (os.environ.get("NBGRADER_EXECUTION") == "autograde" and not os.environ.get(GRADER_MARK)
        and "convstep.grading.checker" not in sys.modules):
    raise RuntimeError("nbgrader is autograding without convstep's safe grading: nbgrader_config.py did not load "
                       "(see the error nbgrader logged when it started); no test runs in the student's kernel")

# Loops and vectorized code differ by rounding only; anything larger is a real difference.
RTOL = 1e-5
ATOL = 1e-7

# Under autograde a learner's function runs in the learner's kernel on read-only copies of its
# arguments (convstep.grading.checker), so a test's own objects never change. A function that writes
# into an input fails there; the checker calls it again on writable copies, so that the test still
# sees its result, and records here which of the test's objects the function wrote into.
_written = {}  # id(argument) -> (argument, the function's name)


def record_write(argument, function):
    _written[id(argument)] = (argument, function)


def forget_writes():
    _written.clear()


def _writer(value):
    """The name of the learner's function that wrote into ``value`` under autograde, or None."""
    entry = _written.get(id(value))
    return entry[1] if entry is not None and entry[0] is value else None


def _same(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and \
            all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))


class CheckFailed(AssertionError):
    """A failed check. ``str()`` is the whole message, "case: problem" and a "Hint:" line: what the
    grader records and the feedback page shows.

    In a learner's own kernel IPython shows what ``_render_traceback_`` returns instead of a
    traceback, whose frames would all be this module's: the message, and the line of the learner's
    code that raised, if it did.
    """

    def __init__(self, case, problem, hint=None, where=None):
        super().__init__(f"{case}: {problem}" + (f"\nHint: {hint}" if hint else ""))
        self.case, self.problem, self.hint, self.where = case, problem, hint, where

    def _render_traceback_(self):
        lines = [f"\x1b[1;31mTest failed:\x1b[0m {self.case}"]
        lines += [f"    {line}" for line in self.problem.splitlines()]
        if self.where:
            lines.append(f"    ({self.where})")
        if self.hint:
            lines.append(f"    \x1b[1mHint:\x1b[0m {self.hint}")
        return lines


def _fail(case, message, hint=None, where=None):
    if callable(hint):  # a hint that is costly to work out is only worked out for a failure
        hint = hint()
    raise CheckFailed(case, message, hint, where)


# Where no learner's code lives: this package and the installed libraries.
_LIBRARIES = tuple({os.path.dirname(os.path.abspath(__file__)) + os.sep}
                   | {sysconfig.get_paths()[key] + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def _learner_line(error):
    """Where in the learner's code (a notebook cell, not this package or a library) an error was
    raised: "in name, line N of its cell: code", or None (under autograde an error comes back from
    the learner's kernel without its frames)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(frame.filename).startswith(_LIBRARIES)]
    if not frames:
        return None
    frame = frames[-1]
    return f"in {frame.name}, line {frame.lineno} of its cell" + (f": {frame.line}" if frame.line else "")


def call(fn, *args, case, hint=None, **kwargs):
    """Call a learner's function; turn an exception into a failure that names the case.

    Warnings are silenced while it runs: nbgrader scores a test cell 0 as soon as anything reaches
    stderr, and a warning is not a wrong answer.
    """
    name = getattr(fn, "__name__", "the function")
    where = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except NotImplementedError:
        problem, hint = f"{name} is not implemented yet (it still raises NotImplementedError)", None
    except NameError as exc:
        problem = str(exc) if getattr(exc, "name", None) == name else f"{name} raised NameError: {exc}"
    except Exception as exc:  # any error in learner code is a failed check, reported in words
        problem, where = f"{name} raised {type(exc).__name__}: {exc}", _learner_line(exc)
    # Raised outside the except block so the learner sees one message, not a chained traceback.
    _fail(case, problem, hint, where)


def unpack(result, names, case):
    """Split a function's tuple result into its parts, failing clearly if it is not that tuple."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"{type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else type(result).__name__
        _fail(case, f"expected the function to return {len(names)} values ({', '.join(names)}), got {got}")
    return result


def check_shape(what, actual, expected_shape, case, hint=None):
    """``np.shape(actual) == expected_shape``; the message shows both shapes."""
    shape = np.shape(actual)
    if tuple(shape) != tuple(expected_shape):
        _fail(case, f"expected {what}.shape {tuple(expected_shape)}, got {tuple(shape)}", hint)


def check_scalar(what, value, case, hint=None):
    """``value`` is one number: a Python float or int, a NumPy scalar or a 0-d array."""
    if np.ndim(value) != 0:
        _fail(case, f"expected {what} to be a single number, got an array of shape {np.shape(value)}",
              hint)


def check_close(what, actual, expected, case, hint=None, rtol=RTOL, atol=ATOL):
    """Same shape and values within tolerance; the message points at the first differing entry."""
    expected = np.asarray(expected, dtype=float)
    check_shape(what, actual, expected.shape, case, hint)
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        _fail(case, f"expected {what} to hold numbers, got {actual!r}", hint)
    close = np.isclose(actual, expected, rtol=rtol, atol=atol)
    if close.all():
        return
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    where = f"[{', '.join(map(str, first))}]" if first else ""
    _fail(case, f"{what}{where} should be {expected[first]:.8g}, got {actual[first]:.8g} "
                f"({len(wrong)} of {expected.size} entries differ)", hint)


def check_equal(what, actual, expected, case, hint=None):
    """Exact equality of shapes and entries (for masks, integer data and untouched inputs)."""
    check_shape(what, actual, np.shape(expected), case, hint)
    if not np.array_equal(np.asarray(actual), np.asarray(expected)):
        wrong = np.argwhere(np.asarray(actual) != np.asarray(expected))
        first = tuple(int(i) for i in wrong[0])
        _fail(case, f"{what}[{', '.join(map(str, first))}] should be {np.asarray(expected)[first]!r}, "
                    f"got {np.asarray(actual)[first]!r}", hint)


def check_unchanged(what, before, after, case):
    """An input (array or dictionary) still holds what it held before the call: ``before`` is the
    test's copy, ``after`` the object it passed."""
    hint = "work on a new array (np.zeros, np.pad or .copy()) instead of writing into the input"
    writer = _writer(after)
    if writer is not None:
        _fail(case, f"{what} was modified by the call: {writer} writes into its input, which must be left "
                    f"as it was (when graded, inputs are read-only and the write raised an error)", hint)
    if not _same(before, after):
        _fail(case, f"{what} was modified by the call; it must be left as it was", hint)


def agrees(expected, fn, *args, item=None, **kwargs):
    """Whether ``fn(*args, **kwargs)`` (its ``item``-th return value if given) matches ``expected``.

    Never raises and never prints: test cells use it to choose a hint, not to grade.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
            if item is not None:
                result = result[item]
            return np.shape(result) == np.shape(expected) and \
                bool(np.allclose(np.asarray(result, dtype=float), expected, rtol=RTOL, atol=ATOL))
    except Exception:
        return False


def numerical_gradient(loss, x, eps=1e-6):
    """Central-difference gradient of the scalar ``loss()`` with respect to the array ``x``.

    ``x`` is perturbed in place entry by entry and restored; ``loss`` reads it. Returns an array of
    ``x.shape``. Exact up to rounding for the piecewise-linear layers of this course.
    """
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = loss()
        x[index] = saved - eps
        minus = loss()
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


# ---------------------------------------------------------------- added for notebooks 5 and 6

def relative_error(x, y):
    """Largest elementwise relative difference ``|x - y| / max(|x| + |y|, 1e-8)`` (as in CS231n).

    Unlike an absolute difference it does not depend on the scale of the numbers: about 1e-7 or
    less means two gradients agree; 1e-2 or more means one of them is wrong.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def check_plain(what, value, case, hint=None):
    """``value`` is plain data, what can cross from a learner's kernel to the grader (numeric or
    boolean arrays, numbers, strings, and tuples, lists and dicts of them): all a cache may hold,
    since the grader copies it."""
    try:
        wire.encode(value)
    except wire.WireError as error:
        _fail(case, f"{what} cannot be checked: {error}; it must hold only numpy arrays of numbers, numbers, "
                    "and tuples, lists or dicts of them", hint)


def check_speedup(what, loop_seconds, fast_seconds, at_least, case, hint=None):
    """The fast version took at most ``1 / at_least`` of the loop version's time.

    Under autograde the loop version is the course's own, timed in the grader while the learner's
    kernel is frozen, and the fast version is timed as a call, moving its arguments there and its
    result back (a few milliseconds a megabyte): that is part of the fast version's time.
    """
    ratio = loop_seconds / max(fast_seconds, 1e-6)
    if ratio < at_least:
        _fail(case, f"{what} took {fast_seconds * 1e3:.1f} ms against {loop_seconds * 1e3:.1f} ms for the loop "
                    f"version: {ratio:.1f} times faster, expected at least {at_least} times", hint)
    return ratio


def timed(fn, *args, **kwargs):
    """(seconds, result) of one call of ``fn(*args, **kwargs)``."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result
