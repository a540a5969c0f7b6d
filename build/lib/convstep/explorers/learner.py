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


def run_learner(name, call, expected_shape):
    """Call the learner's function and check what it returns.

    call -- no-argument callable that runs it; expected_shape -- (1, n_H, n_W, 1).
    Returns (values, problems, printed): values is the (n_H, n_W) float map or None when there is
    nothing to compare, problems a list of HTML explanations, printed what the function printed.
    Any exception of the learner's code is caught here, so the explorer keeps working.
    """
    printed = io.StringIO()
    try:
        with redirect_stdout(printed), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
    except Exception as exc:  # the learner's bug, shown in the widget, never re-raised
        return None, [f"Your <code>{name}</code> raised <code>{type(exc).__name__}: "
                      f"{escape(str(exc))}</code>{where_raised(exc)}."], printed.getvalue()
    problems = [f"Your <code>{name}</code> warned: <code>{escape(str(w.message))}</code>" for w in caught]
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        kind = type(result).__name__
        hint = " Did you forget to return the cache?" if isinstance(result, np.ndarray) else ""
        return None, problems + [f"Your <code>{name}</code> returned a <code>{kind}</code>; "
                                 f"expected a tuple <code>(output, cache)</code>.{hint}"], printed.getvalue()
    try:
        out = np.asarray(result[0], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        return None, problems + [f"The first value your <code>{name}</code> returned is not a "
                                 f"numeric array: {escape(str(exc))}."], printed.getvalue()
    if out.shape != expected_shape:
        return None, problems + [f"Your <code>{name}</code> returned shape {out.shape}; expected "
                                 f"{expected_shape}."], printed.getvalue()
    values = out[0, :, :, 0]
    bad = ~np.isfinite(values)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        problems.append(f"Your output has {int(bad.sum())} NaN or infinite value(s), the first at "
                        f"row {r}, col {c}.")
    return values, problems, printed.getvalue()
