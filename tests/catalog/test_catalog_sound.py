"""Soundness of the student-code catalog in ``tests/student_code``.

Every ``ok_*.py`` variant must agree with the reference solutions (the ``solutions``
fixture from ``tests/conftest.py``) on every input of the battery below, without
modifying its inputs; every ``bug_*.py`` variant must be exposed by at least one
input of the battery (different result, exception, wrong shape/type/cache, or a
modified input).  The battery is the kind of input a hidden test could use.

Run:  .venv/bin/python -m pytest tests/catalog/test_catalog_sound.py -q
      (add ``-rP`` to see which inputs expose each bug variant)
"""

import ast
import copy
import pathlib
import re
import warnings

import numpy as np
import pytest

import fast_and_training as later
from convstep.course import Course

CATALOG = pathlib.Path(__file__).parent / "student_code"

# Order of the graded functions in the course: a variant of one function runs in a
# namespace holding ``np`` and the correct versions of all the functions before it.
SERIES = list(Course().solutions())

RTOL, ATOL = 1e-6, 1e-9


# --------------------------------------------------------------------------- battery

class Case:
    """One call: positional args and keyword args, with a readable label."""

    def __init__(self, label, args, kwargs=None):
        self.label = label
        self.args = args
        self.kwargs = kwargs or {}

    def __repr__(self):
        return self.label


def _rng(seed):
    return np.random.default_rng(seed)


def _hp(order, **values):
    """hparameters dict with its keys inserted in the given order."""
    return {k: values[k] for k in order}


def _out(n, f, s, p=0):
    return (n - f + 2 * p) // s + 1


def _shape(a):
    return "x".join(map(str, a.shape))


def _zero_pad_cases():
    specs = [((2, 3, 4, 2), 1), ((3, 4, 4, 3), 2), ((1, 3, 5, 1), 0), ((2, 5, 3, 4), 3), ((1, 2, 2, 1), 1)]
    cases = []
    for seed, (shape, pad) in enumerate(specs):
        X = _rng(100 + seed).standard_normal(shape)
        cases.append(Case(f"zero_pad(X {_shape(X)}, pad={pad})", (X, pad)))
    return cases


def _conv_single_step_cases():
    specs = [(4, 3), (3, 1), (2, 4), (3, 3), (5, 2), (1, 1)]
    cases = []
    for seed, (f, c) in enumerate(specs):
        r = _rng(200 + seed)
        a, W, b = r.standard_normal((f, f, c)), r.standard_normal((f, f, c)), r.standard_normal((1, 1, 1))
        cases.append(Case(f"conv_single_step(a {_shape(a)}, W {_shape(W)}, b 1x1x1)", (a, W, b)))
    return cases


# (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, stride, pad, key order)
CONV_SPECS = [
    (2, 5, 7, 3, 3, 4, 1, 1, ("pad", "stride")),   # non-square, stride 1, pad 1
    (2, 7, 7, 4, 3, 2, 2, 0, ("stride", "pad")),   # pad 0, stride 2 with overlapping windows
    (3, 6, 6, 2, 3, 3, 2, 0, ("pad", "stride")),   # (6-3)/2 = 1.5: round/ceil differ from floor
    (2, 6, 5, 3, 2, 4, 3, 2, ("stride", "pad")),   # stride > f (gaps), uneven coverage, non-square
    (1, 4, 4, 1, 1, 1, 1, 0, ("pad", "stride")),   # 1x1 filter, single channel
    (2, 9, 8, 2, 4, 3, 3, 2, ("pad", "stride")),   # even f, uneven coverage, non-square
    (3, 5, 5, 4, 5, 2, 1, 2, ("stride", "pad")),   # f = n_H_prev, "same" padding
    (2, 10, 7, 3, 3, 2, 2, 2, ("stride", "pad")),  # pad == stride, (10+4-3)/2 = 5.5
]


def _conv_label(fn, m, nh, nw, cp, f, nc, s, p, order):
    keys = ",".join(order)
    return (f"{fn}: A_prev {m}x{nh}x{nw}x{cp}, W {f}x{f}x{cp}x{nc}, stride={s}, pad={p}, "
            f"hparameters keys ({keys})")


def _conv_forward_cases():
    cases = []
    for seed, (m, nh, nw, cp, f, nc, s, p, order) in enumerate(CONV_SPECS):
        r = _rng(300 + seed)
        A = r.standard_normal((m, nh, nw, cp))
        W = r.standard_normal((f, f, cp, nc))
        b = r.standard_normal((1, 1, 1, nc))
        cases.append(Case(_conv_label("conv_forward", m, nh, nw, cp, f, nc, s, p, order),
                          (A, W, b, _hp(order, stride=s, pad=p))))
    return cases


def _conv_backward_cases():
    cases = []
    for seed, (m, nh, nw, cp, f, nc, s, p, order) in enumerate(CONV_SPECS):
        r = _rng(400 + seed)
        A = r.standard_normal((m, nh, nw, cp))
        W = r.standard_normal((f, f, cp, nc))
        b = r.standard_normal((1, 1, 1, nc))
        dZ = r.standard_normal((m, _out(nh, f, s, p), _out(nw, f, s, p), nc))
        cases.append(Case(_conv_label("conv_backward", m, nh, nw, cp, f, nc, s, p, order) + f", dZ {_shape(dZ)}",
                          (dZ, (A, W, b, _hp(order, stride=s, pad=p)))))
    return cases


# (m, n_H_prev, n_W_prev, n_C, f, stride, mode, key order, how the mode is passed)
POOL_SPECS = [
    (2, 4, 4, 3, 2, 2, "max", ("f", "stride"), "keyword"),
    (2, 4, 4, 3, 2, 2, "average", ("stride", "f"), "keyword"),
    (1, 5, 5, 2, 3, 1, "max", ("stride", "f"), "default"),
    (3, 5, 5, 2, 3, 1, "average", ("f", "stride"), "positional"),
    (2, 7, 6, 3, 3, 2, "max", ("f", "stride"), "keyword"),
    (2, 7, 6, 3, 3, 2, "average", ("stride", "f"), "keyword"),
    (2, 9, 7, 4, 2, 3, "max", ("stride", "f"), "positional"),
    (2, 9, 7, 4, 2, 3, "average", ("f", "stride"), "keyword"),
    (1, 5, 8, 1, 4, 1, "average", ("stride", "f"), "keyword"),
    (2, 6, 9, 2, 3, 3, "max", ("f", "stride"), "default"),
    (1, 3, 4, 2, 1, 2, "max", ("stride", "f"), "keyword"),
]


def _pool_call(leading, hp, mode, passing):
    """Arguments for a pooling call, the mode passed by keyword, positionally, or not at all."""
    desc = {"keyword": f'mode="{mode}"', "positional": f'"{mode}" passed positionally',
            "default": "mode not passed (default)"}[passing]
    desc += f", hparameters keys ({','.join(hp)})"
    if passing == "keyword":
        return leading, {"mode": mode}, desc
    if passing == "positional":
        return leading + (mode,), {}, desc
    assert mode == "max"
    return leading, {}, desc


def _pool_forward_cases():
    cases = []
    for seed, (m, nh, nw, nc, f, s, mode, order, passing) in enumerate(POOL_SPECS):
        A = _rng(500 + seed).standard_normal((m, nh, nw, nc))
        hp = _hp(order, f=f, stride=s)
        args, kwargs, desc = _pool_call((A, hp), hp, mode, passing)
        cases.append(Case(f"pool_forward: A_prev {_shape(A)}, f={f}, stride={s}, {desc}", args, kwargs))
    return cases


def _pool_backward_cases():
    cases = []
    for seed, (m, nh, nw, nc, f, s, mode, order, passing) in enumerate(POOL_SPECS):
        r = _rng(600 + seed)
        A = r.standard_normal((m, nh, nw, nc))
        dA = r.standard_normal((m, _out(nh, f, s), _out(nw, f, s), nc))
        hp = _hp(order, f=f, stride=s)
        args, kwargs, desc = _pool_call((dA, (A, hp)), hp, mode, passing)
        cases.append(Case(f"pool_backward: A_prev {_shape(A)}, dA {_shape(dA)}, f={f}, stride={s}, {desc}",
                          args, kwargs))
    return cases


def _create_mask_cases():
    cases = []
    for seed, shape in enumerate([(3, 3), (2, 2), (4, 4)]):
        x = _rng(700 + seed).standard_normal(shape)
        cases.append(Case(f"create_mask_from_window(random x {_shape(x)})", (x,)))
    fixed = {
        "x 2x3, max at row 1, col 1": [[0.3, -1.2, 0.8], [0.1, 2.5, -0.4]],
        "x 3x2, max at row 2, col 0": [[0.3, -1.2], [0.8, 0.1], [2.5, -0.4]],
        "x 2x3, max at row 0, col 2, mixed signs": [[-0.5, 0.2, 1.7], [0.9, -0.1, 1.1]],
        "x 3x3 all negative": [[-1.5, -0.2, -3.0], [-0.7, -2.2, -0.9], [-1.1, -0.6, -2.8]],
        "x 3x3 where the most negative entry has the largest magnitude": [[0.4, -5.0, 1.2], [0.3, 2.0, -1.0],
                                                                          [0.5, 1.9, 0.2]],
        "x 1x1": [[-0.5]],
        "x 2x2 with the maximum below the mean of the others' magnitudes": [[0.1, -4.0], [-3.0, 0.2]],
    }
    for label, x in fixed.items():
        cases.append(Case(f"create_mask_from_window({label})", (np.array(x, dtype=float),)))
    return cases


def _distribute_value_cases():
    specs = [(2, (2, 2)), (2.0, (2, 2)), (1.5, (3, 3)), (-0.7, (2, 3)), (5, (3, 2)),
             (np.float64(0.3), (1, 4)), (4.0, (4, 4)), (np.float64(-1.2), (3, 1))]
    return [Case(f"distribute_value(dz={dz!r}, shape={shape})", (dz, shape)) for dz, shape in specs]


BATTERY = {
    "zero_pad": _zero_pad_cases,
    "conv_single_step": _conv_single_step_cases,
    "conv_forward": _conv_forward_cases,
    "pool_forward": _pool_forward_cases,
    "conv_backward": _conv_backward_cases,
    "create_mask_from_window": _create_mask_cases,
    "distribute_value": _distribute_value_cases,
    "pool_backward": _pool_backward_cases,
}
# notebooks 5 and 6 (tests/catalog/fast_and_training.py)
BATTERY.update(later.batteries(CONV_SPECS, POOL_SPECS, _pool_forward_cases))


# --------------------------------------------------------------------------- comparison

def _array_mismatch(what, got, want):
    """None if ``got`` is an array equal to ``want``, else a description."""
    if not isinstance(got, np.ndarray):
        return f"{what}: expected a numpy array of shape {want.shape}, got {type(got).__name__}"
    if got.shape != want.shape:
        return f"{what}: shape {got.shape}, expected {want.shape}"
    if not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        return f"{what}: non-numeric dtype {got.dtype}"
    g, w = got.astype(float), np.asarray(want, dtype=float)
    if not np.allclose(g, w, rtol=RTOL, atol=ATOL):
        err = np.max(np.abs(g - w)) if g.size else 0.0
        return f"{what}: values differ from the reference (max abs difference {err:.3g})"
    return None


def _same_value(a, b):
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def _cache_mismatch(cache, expected, names):
    # A list is accepted like a tuple: the course's checks unpack either.
    if not isinstance(cache, (tuple, list)) or len(cache) != len(expected):
        return f"cache: expected a tuple ({', '.join(names)}), got {type(cache).__name__}" + (
            f" of length {len(cache)}" if isinstance(cache, (tuple, list)) else "")
    for got, want, name in zip(cache, expected, names):
        if not _same_value(got, want):
            return f"cache: item {name} differs from the one passed in"
    return None


def _outputs_mismatch(name, got, want, args):
    """Compare a variant's return value with the reference's; None when equal."""
    if name == "conv_single_step":
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.number, np.ndarray)):
            return f"Z: expected a scalar, got {type(got).__name__}"
        if np.ndim(got) != 0:
            return f"Z: expected a scalar (0-dimensional), got shape {np.shape(got)}"
        if not np.isclose(float(got), float(want), rtol=RTOL, atol=ATOL):
            return f"Z: {float(got)!r} differs from the reference {float(want)!r}"
        return None
    if name in ("conv_forward", "pool_forward"):
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return "expected a pair (output, cache)"
        out_name = "Z" if name == "conv_forward" else "A"
        msg = _array_mismatch(out_name, got[0], want[0])
        if msg:
            return msg
        if name == "conv_forward":
            return _cache_mismatch(got[1], args, ("A_prev", "W", "b", "hparameters"))
        return _cache_mismatch(got[1], args[:2], ("A_prev", "hparameters"))
    if name == "conv_backward":
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return "expected a triple (dA_prev, dW, db)"
        for g, w, n in zip(got, want, ("dA_prev", "dW", "db")):
            msg = _array_mismatch(n, g, w)
            if msg:
                return msg
        return None
    what = {"zero_pad": "X_pad", "create_mask_from_window": "mask", "distribute_value": "a",
            "pool_backward": "dA_prev"}[name]
    return _array_mismatch(what, got, want)


def _inputs_mismatch(originals, after, where="input argument"):
    """None if every input is unchanged after the call, else which one was modified in place."""
    for k, (o, a) in enumerate(zip(originals, after)):
        label = f"{where} #{k + 1}"
        if isinstance(o, np.ndarray):
            if not np.array_equal(o, a):
                return f"modified its {label} in place"
        elif isinstance(o, tuple):
            msg = _inputs_mismatch(o, a, where=f"{label}, item")
            if msg:
                return msg
        elif isinstance(o, dict):
            if o != a or list(o) != list(a):
                return f"modified its {label} (a dict) in place"
    return None


def _run(func, name, case, want, *, strict_warnings, compare=None):
    """Problem description (str) if ``func`` disagrees with the reference output ``want`` on ``case``,
    else None."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if strict_warnings else "ignore")
            got = func(*args, **kwargs)
    except Exception as exc:  # a raising variant is exposed; an ok variant fails
        return f"raised {type(exc).__name__}: {exc}"
    if compare is not None:
        return _inputs_mismatch(case.args, args) or compare(got, want, case.args)
    return _inputs_mismatch(case.args, args) or _outputs_mismatch(name, got, want, case.args)


def _reference_and_compare(name, solutions):
    """The reference callable and the comparison for a function's battery."""
    if name not in later.COMPANIONS and name in SERIES[:SERIES.index("pool_backward") + 1]:
        return solutions[name], None
    return later.reference(name, solutions), later.comparator(name, solutions)


_BATTERIES = {}


def _battery(name, solutions):
    """[(case, reference output)] of a function's battery, computed once for all its variants."""
    if name not in _BATTERIES:
        reference, _ = _reference_and_compare(name, solutions)
        _BATTERIES[name] = [(case, reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)))
                            for case in BATTERY[name]()]
    return _BATTERIES[name]


# --------------------------------------------------------------------------- loading

def _variant_paths():
    return sorted(p for name in SERIES for p in (CATALOG / name).glob("*.py"))


def _variant_id(path):
    return f"{path.parent.name}/{path.name}"


VARIANTS = _variant_paths()
OK_VARIANTS = [p for p in VARIANTS if p.name.startswith("ok_")]
BUG_VARIANTS = [p for p in VARIANTS if p.name.startswith("bug_")]


def _load(path, solutions):
    """Execute a variant file in a notebook-like namespace; return its graded function."""
    name = path.parent.name
    namespace = {"np": np, "__name__": f"student_{path.stem}"}
    for earlier in SERIES[: SERIES.index(name)]:
        namespace[earlier] = solutions[earlier]
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return later.variant(name, namespace, solutions)


# --------------------------------------------------------------------------- tests

def test_catalog_layout():
    assert (CATALOG / "README.md").is_file()
    for name in SERIES:
        files = sorted((CATALOG / name).glob("*.py"))
        assert any(f.name.startswith("ok_") for f in files), f"no ok_ variant for {name}"
        assert any(f.name.startswith("bug_") for f in files), f"no bug_ variant for {name}"
    stray = [p for p in CATALOG.rglob("*") if p.is_file() and p.name != "README.md" and p not in VARIANTS
             and "__pycache__" not in p.parts]
    assert not stray, f"unexpected files in the catalog: {stray}"
    for path in VARIANTS:
        assert re.fullmatch(r"(ok|bug)_[a-z0-9_]+\.py", path.name), f"bad variant file name: {_variant_id(path)}"


@pytest.mark.parametrize("name", SERIES)
def test_variants_are_distinct(name):
    seen = {}
    for path in sorted((CATALOG / name).glob("*.py")):
        tree = ast.parse(path.read_text())
        tree.body = tree.body[1:]  # drop the docstring
        key = ast.dump(tree, annotate_fields=False)
        assert key not in seen, f"{_variant_id(path)} has the same code as {seen.get(key)}"
        seen[key] = path.name


ALLOWED_IMPORTS = {"numpy", "math"}


@pytest.mark.parametrize("path", VARIANTS, ids=_variant_id)
def test_variant_format(path):
    vid, name = _variant_id(path), path.parent.name
    tree = ast.parse(path.read_text(), filename=str(path))
    doc = ast.get_docstring(tree)
    assert doc and doc.splitlines()[0].strip(), f"{vid}: the module docstring must describe the variant"
    has_np = False
    api_defs = 0
    for node in tree.body[1:]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in ALLOWED_IMPORTS, f"{vid}: imports {alias.name}"
                has_np |= alias.name == "numpy" and alias.asname == "np"
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] in ALLOWED_IMPORTS, f"{vid}: imports from {node.module}"
        elif isinstance(node, ast.FunctionDef):
            if node.name == name:
                api_defs += 1
            elif node.name in later.COMPANIONS.get(name, ()):
                pass  # its own forward pass, whose cache it reads
            else:
                assert node.name.startswith("_"), f"{vid}: defines {node.name}; helpers must be private (_name)"
        else:
            raise AssertionError(f"{vid}: unexpected top-level statement at line {node.lineno}")
    assert has_np, f"{vid}: must contain `import numpy as np`"
    assert api_defs == 1, f"{vid}: must define {name} exactly once"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "print", f"{vid}: must not print"


def _disagreements(path, solutions, strict_warnings):
    """A variant file's function, and each input of its battery on which it disagrees with the
    reference; then, if it agrees on all of them and is a fast layer, whether it is 10 times faster
    than the loop version."""
    name = path.parent.name
    func = _load(path, solutions)
    _, compare = _reference_and_compare(name, solutions)
    found = [f"  on {case.label}: {msg}" for case, want in _battery(name, solutions)
             if (msg := _run(func, name, case, want, strict_warnings=strict_warnings, compare=compare))]
    if name in later.TIMED and not found:
        ratio = later.speedup(name, func, solutions)
        if ratio < 10:
            found.append(f"  timed against the loop version: only {ratio:.1f} times faster")
    return found


@pytest.mark.parametrize("path", OK_VARIANTS, ids=_variant_id)
def test_ok_variant_matches_reference(path, solutions):
    problems = _disagreements(path, solutions, strict_warnings=True)
    assert not problems, f"ok variant {_variant_id(path)} is not correct:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", BUG_VARIANTS, ids=_variant_id)
def test_bug_variant_is_exposed(path, solutions):
    exposed = _disagreements(path, solutions, strict_warnings=False)
    battery = _battery(path.parent.name, solutions)
    assert exposed, (f"bug variant {_variant_id(path)} agrees with the reference on every input of the battery:\n"
                     + "\n".join(f"  {c.label}" for c, _ in battery))
    print(f"{_variant_id(path)} exposed by {len(exposed)}/{len(battery)} inputs:\n" + "\n".join(exposed))
