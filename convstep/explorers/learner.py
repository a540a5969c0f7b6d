"""The learner-function runner: call a learner's function safely and say what is wrong with its result.

Nothing the learner's code raises, prints or warns escapes into the notebook: it is reported as
HTML inside the explorer, which keeps working.
"""

import io
import traceback
import warnings
from contextlib import redirect_stdout
from html import escape

import numpy as np


def where_raised(exc):
    """'file, line N: code' of the innermost frame of an exception, for the error message."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (line {last.lineno}: <code>{escape(last.line or '')}</code>)"


def run_function(name, call, shape, returns=("output", "cache")):
    """Call a learner's function and check the first thing it returns.

    call -- no-argument callable that runs it; shape -- the shape its first result must have;
    returns -- the names of what it returns: a tuple of names (it must return a tuple of that
    length, whose first entry is checked) or one name (it must return that array itself).
    Returns (first, result, problems, printed): first is that result as a float array of the
    given shape, or None when there is nothing to use; result is what the function returned (its
    cache, for a backward pass); problems a list of HTML explanations; printed what it printed.
    Any exception of the learner's code is caught here, so the explorer keeps working.
    """
    printed = io.StringIO()
    try:
        with redirect_stdout(printed), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
    except Exception as exc:  # the learner's bug, shown in the widget, never re-raised
        return None, None, [f"Your <code>{name}</code> raised <code>{type(exc).__name__}: "
                            f"{escape(str(exc))}</code>{where_raised(exc)}."], printed.getvalue()
    problems = [f"Your <code>{name}</code> warned: <code>{escape(str(w.message))}</code>" for w in caught]
    first = result
    if isinstance(returns, tuple):
        if not isinstance(result, (tuple, list)) or len(result) != len(returns):
            kind = type(result).__name__
            hint = (" Did you forget to return the cache?"
                    if isinstance(result, np.ndarray) and "cache" in returns else "")
            return None, result, problems + [
                f"Your <code>{name}</code> returned a <code>{kind}</code>; expected a tuple "
                f"<code>({', '.join(returns)})</code>.{hint}"], printed.getvalue()
        first = result[0]
    what = returns[0] if isinstance(returns, tuple) else returns
    try:
        out = np.asarray(first, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        return None, result, problems + [f"The {what} your <code>{name}</code> returned is not a "
                                         f"numeric array: {escape(str(exc))}."], printed.getvalue()
    if out.shape != tuple(shape):
        return None, result, problems + [f"Your <code>{name}</code> returned {what} with shape "
                                         f"{out.shape}; expected {tuple(shape)}."], printed.getvalue()
    bad = ~np.isfinite(out)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        problems.append(f"Your {what} has {int(bad.sum())} NaN or infinite value(s), the first at "
                        f"index {index}.")
    return out, result, problems, printed.getvalue()


def run_learner(name, call, expected_shape):
    """A window explorer's call: the learner's function returns (output, cache), the output of
    expected_shape (1, n_H, n_W, 1). Returns (values, problems, printed): values the (n_H, n_W)
    map or None when there is nothing to compare (see run_function)."""
    out, _, problems, printed = run_function(name, call, expected_shape)
    return (None if out is None else out[0, :, :, 0]), problems, printed
