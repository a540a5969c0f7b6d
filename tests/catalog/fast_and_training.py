"""Catalog soundness for the functions of notebooks 5 and 6: their input battery, their reference
and how their results are compared. Used by test_catalog_sound.py.

- ``conv_backward_fast`` and ``pool_backward_fast`` take the cache of *their* forward pass, so a
  variant of one runs after the forward pass its own file defines (a companion, for a cache of its
  own design) or, if it defines none, after the instructor's.
- A forward pass's cache may be any plain data, as long as the backward pass graded with it (the
  instructor's, for a ``conv_forward_fast`` or ``pool_forward_fast`` variant) gives the reference
  gradients.
"""

import numpy as np

# A variant file of the key may also define these functions; grading replaces their cells too.
COMPANIONS = {"conv_backward_fast": ("conv_forward_fast",), "pool_backward_fast": ("pool_forward_fast",)}

RTOL, ATOL = 1e-6, 1e-9


def _rng(seed):
    return np.random.default_rng(seed)


class Case:
    def __init__(self, label, args, kwargs=None):
        self.label, self.args, self.kwargs = label, args, kwargs or {}

    def __repr__(self):
        return self.label


def _out(n, f, s, p):
    return (n - f + 2 * p) // s + 1


def conv_backward_cases(specs):
    """(A_prev, W, b, hparameters, dZ): the variant computes the cache with its forward pass."""
    cases = []
    for seed, (m, nh, nw, cp, f, nc, s, p, order) in enumerate(specs):
        r = _rng(800 + seed)
        A, W, b = r.standard_normal((m, nh, nw, cp)), r.standard_normal((f, f, cp, nc)), r.standard_normal((1, 1, 1, nc))
        hp = {k: {"stride": s, "pad": p}[k] for k in order}
        dZ = r.standard_normal((m, _out(nh, f, s, p), _out(nw, f, s, p), nc))
        cases.append(Case(f"conv_backward_fast: A_prev {A.shape}, f={f}, {nc} filters, stride={s}, pad={p}, "
                          f"keys ({','.join(order)})", (A, W, b, hp, dZ)))
    return cases


def pool_backward_cases(specs):
    """(A_prev, hparameters, dA), and the mode as the spec passes it: the variant computes the cache with
    its forward pass."""
    cases = []
    for seed, (m, nh, nw, nc, f, s, mode, order, passing) in enumerate(specs):
        r = _rng(900 + seed)
        A = r.standard_normal((m, nh, nw, nc))
        dA = r.standard_normal((m, (nh - f) // s + 1, (nw - f) // s + 1, nc))
        hp = {k: {"f": f, "stride": s}[k] for k in order}
        args = (A, hp, dA) + ((mode,) if passing == "positional" else ())
        cases.append(Case(f"pool_backward_fast: A_prev {A.shape}, f={f}, stride={s}, mode {mode} ({passing}), "
                          f"keys ({','.join(order)})", args, {"mode": mode} if passing == "keyword" else {}))
    return cases


def relu_forward_cases():
    cases = [Case(f"relu_forward: Z {shape}", (_rng(810 + k).standard_normal(shape),))
             for k, shape in enumerate([(3, 7), (2, 4, 5, 3), (1, 1), (6,)])]
    cases.append(Case("relu_forward: Z with exact zeros", (np.array([[-1.0, 0.0, 2.0], [0.0, -0.0, 3.5]]),)))
    return cases


def relu_backward_cases():
    cases = []
    for k, shape in enumerate([(4, 6), (2, 3, 5, 2), (1, 1), (5,)]):
        r = _rng(820 + k)
        Z = r.standard_normal(shape)
        Z[np.abs(Z) < 1e-3] = 0.5
        cases.append(Case(f"relu_backward: dA and Z {shape}", (r.standard_normal(shape), Z)))
    return cases


AFFINE_SPECS = [((5, 7), 3), ((3, 2, 4), 6), ((4, 3, 2, 5), 10), ((1, 4, 4, 8), 10), ((2, 3), 3), ((6, 2, 2, 2), 8)]


def affine_forward_cases():
    cases = []
    for k, (shape, n_out) in enumerate(AFFINE_SPECS):
        r = _rng(830 + k)
        D = int(np.prod(shape[1:]))
        cases.append(Case(f"affine_forward: A_prev {shape}, W ({D}, {n_out})",
                          (r.standard_normal(shape), r.standard_normal((D, n_out)), r.standard_normal(n_out) * 3)))
    return cases


def affine_backward_cases():
    cases = []
    for k, (shape, n_out) in enumerate(AFFINE_SPECS):
        r = _rng(840 + k)
        D = int(np.prod(shape[1:]))
        cache = (r.standard_normal(shape), r.standard_normal((D, n_out)), r.standard_normal(n_out))
        cases.append(Case(f"affine_backward: A_prev {shape}, W ({D}, {n_out})",
                          (r.standard_normal((shape[0], n_out)), cache)))
    return cases


def softmax_loss_cases():
    cases = []
    for k, (m, C, scale) in enumerate([(6, 10, 3.0), (1, 3, 1.0), (9, 4, 5.0), (50, 10, 0.001)]):
        r = _rng(850 + k)
        cases.append(Case(f"softmax_loss: scores ({m}, {C}) x {scale}",
                          (r.standard_normal((m, C)) * scale, r.integers(0, C, size=m))))
    r = _rng(859)
    big = r.standard_normal((5, 10)) * 30.0 + np.array([[800.0], [-600.0], [350.0], [0.0], [-900.0]])
    cases.append(Case("softmax_loss: scores in the hundreds, rows at different levels", (big, np.array([3, 0, 9, 5, 1]))))
    return cases


def batteries(conv_specs, pool_specs, pool_forward_cases):
    """{function: cases} for the functions of notebooks 5 and 6, reusing the older batteries' specs."""
    def conv_forward_fast_cases():
        cases = []
        for seed, (m, nh, nw, cp, f, nc, s, p, order) in enumerate(conv_specs):
            r = _rng(870 + seed)
            cases.append(Case(f"conv_forward_fast: A_prev {m}x{nh}x{nw}x{cp}, f={f}, {nc} filters, stride={s}, pad={p}",
                              (r.standard_normal((m, nh, nw, cp)), r.standard_normal((f, f, cp, nc)),
                               r.standard_normal((1, 1, 1, nc)), {k: {"stride": s, "pad": p}[k] for k in order})))
        return cases

    return {
        "conv_forward_fast": conv_forward_fast_cases,
        "conv_backward_fast": lambda: conv_backward_cases(conv_specs),
        "pool_forward_fast": pool_forward_cases,
        "pool_backward_fast": lambda: pool_backward_cases(pool_specs),
        "relu_forward": relu_forward_cases,
        "relu_backward": relu_backward_cases,
        "affine_forward": affine_forward_cases,
        "affine_backward": affine_backward_cases,
        "softmax_loss": softmax_loss_cases,
    }


# --------------------------------------------------------------------------- how to run and compare

def variant(name, namespace, solutions):
    """The callable a case is run on: the variant's function (with its own companion forward pass, or
    the instructor's, for a backward pass)."""
    if name == "conv_backward_fast":
        forward = namespace.get("conv_forward_fast", solutions["conv_forward_fast"])
        backward = namespace[name]
        return lambda A, W, b, hp, dZ: backward(dZ, forward(A, W, b, hp)[1])
    if name == "pool_backward_fast":
        forward = namespace.get("pool_forward_fast", solutions["pool_forward_fast"])
        backward = namespace[name]
        return lambda A, hp, dA, *mode, **kw: backward(dA, forward(A, hp, *mode, **kw)[1], *mode, **kw)
    return namespace[name]


def reference(name, solutions):
    if name == "conv_backward_fast":
        return lambda A, W, b, hp, dZ: solutions["conv_backward"](dZ, (A, W, b, hp))
    if name == "conv_forward_fast":
        return solutions["conv_forward"]
    if name == "pool_forward_fast":
        return solutions["pool_forward"]
    if name == "pool_backward_fast":
        return lambda A, hp, dA, *mode, **kw: solutions["pool_backward"](dA, (A, hp), *mode, **kw)
    return solutions[name]


def _array(what, got, want):
    if not isinstance(got, np.ndarray):
        return f"{what}: expected a numpy array of shape {np.shape(want)}, got {type(got).__name__}"
    if got.shape != np.shape(want):
        return f"{what}: shape {got.shape}, expected {np.shape(want)}"
    if got.dtype.kind not in "biuf":
        return f"{what}: non-numeric dtype {got.dtype}"
    if not np.allclose(got.astype(float), np.asarray(want, dtype=float), rtol=RTOL, atol=ATOL):
        return f"{what}: values differ from the reference"
    return None


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    if isinstance(value, (bool, int, float, str, np.number, np.bool_)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int)) and _plain(v) for k, v in value.items())
    return False


def _pair(got):
    return isinstance(got, (tuple, list)) and len(got) == 2


def comparator(name, solutions):
    """compare(got, want, args) -> None or a description of the difference."""
    def triple(got, want, args, names):
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return f"expected a triple ({', '.join(names)})"
        for g, w, n in zip(got, want, names):
            problem = _array(n, g, w)
            if problem:
                return problem
        return None

    def output_and_plain_cache(got, want, output):
        if not _pair(got):
            return f"expected a pair ({output}, cache)"
        return _array(output, got[0], want[0]) or (None if _plain(got[1]) else "cache: not plain data")

    def conv_forward_fast(got, want, args):
        problem = output_and_plain_cache(got, want, "Z")
        if problem:
            return problem
        # graded with the instructor's backward pass: its cache must serve it
        dZ = _rng(890).standard_normal(want[0].shape)
        try:
            grads = solutions["conv_backward_fast"](dZ, got[1])
        except Exception as exc:
            return f"cache: the instructor's conv_backward_fast fails on it ({type(exc).__name__}: {exc})"
        return triple(grads, solutions["conv_backward"](dZ, want[1]), args, ("dA_prev", "dW", "db"))

    def pool_forward_fast(got, want, args):
        problem = output_and_plain_cache(got, want, "A")
        if problem:
            return problem
        # graded with the instructor's backward pass: its cache must serve it, in either mode
        dA = _rng(891).standard_normal(want[0].shape)
        for mode in ("max", "average"):
            try:
                grad = solutions["pool_backward_fast"](dA, got[1], mode=mode)
            except Exception as exc:
                return f"cache: the instructor's pool_backward_fast fails on it ({type(exc).__name__}: {exc})"
            problem = _array(f"dA_prev ({mode})", grad, solutions["pool_backward"](dA, (args[0], args[1]), mode=mode))
            if problem:
                return problem
        return None

    def relu_forward(got, want, args):
        if not _pair(got):
            return "expected a pair (A, cache)"
        return _array("A", got[0], want[0]) or _array("cache", got[1], args[0])

    def affine_forward(got, want, args):
        if not _pair(got):
            return "expected a pair (Z, cache)"
        problem = _array("Z", got[0], want[0])
        if problem:
            return problem
        if not isinstance(got[1], (tuple, list)) or len(got[1]) != 3:
            return "cache: expected (A_prev, W, b)"
        for g, w, n in zip(got[1], args, ("A_prev", "W", "b")):
            problem = _array(f"cache item {n}", g, w)
            if problem:
                return problem
        return None

    def softmax_loss(got, want, args):
        if not _pair(got):
            return "expected a pair (loss, dscores)"
        if np.ndim(got[0]) != 0 or not np.isfinite(float(got[0])) or not np.isclose(float(got[0]), float(want[0]), rtol=RTOL, atol=ATOL):
            return f"loss: {got[0]!r}, expected {float(want[0])!r}"
        return _array("dscores", got[1], want[1])

    return {
        "conv_forward_fast": conv_forward_fast,
        "conv_backward_fast": lambda got, want, args: triple(got, want, args, ("dA_prev", "dW", "db")),
        "pool_forward_fast": pool_forward_fast,
        "pool_backward_fast": lambda got, want, args: _array("dA_prev", got, want),
        "relu_forward": relu_forward,
        "relu_backward": lambda got, want, args: _array("dZ", got, want),
        "affine_forward": affine_forward,
        "affine_backward": lambda got, want, args: triple(got, want, args, ("dA_prev", "dW", "db")),
        "softmax_loss": softmax_loss,
    }[name]


# --------------------------------------------------------------------------- speed of the fast layers

import time  # noqa: E402

# The inputs of the notebook's speed tests: many positions, few filters, so that a loop over the
# positions shows even when the rest is vectorized.
_SPEED_INPUTS = {
    "conv_forward_fast": lambda r: (r.standard_normal((1, 96, 96, 3)), r.standard_normal((3, 3, 3, 8)),
                                    r.standard_normal((1, 1, 1, 8)), {"stride": 1, "pad": 1}),
    "conv_backward_fast": lambda r: (r.standard_normal((1, 80, 80, 3)), r.standard_normal((3, 3, 3, 8)),
                                     r.standard_normal((1, 1, 1, 8)), {"stride": 1, "pad": 1},
                                     r.standard_normal((1, 80, 80, 8))),
    "pool_forward_fast": lambda r: (r.standard_normal((1, 130, 130, 4)), {"f": 3, "stride": 1}, "average"),
    "pool_backward_fast": lambda r: (r.standard_normal((1, 130, 130, 2)), {"f": 3, "stride": 1},
                                     r.standard_normal((1, 128, 128, 2)), "max"),
}
TIMED = set(_SPEED_INPUTS)
_loop_seconds = {}


def _best(fn, args, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def speedup(name, func, solutions):
    """How many times faster ``func`` (a variant, as returned by ``variant``) is than the loop version."""
    args = _SPEED_INPUTS[name](_rng(899))
    if name not in _loop_seconds:
        _loop_seconds[name] = _best(reference(name, solutions), args, 1)
    return _loop_seconds[name] / max(_best(func, args, 5), 1e-9)
