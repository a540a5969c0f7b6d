"""Window geometry and arithmetic shared by the explorers, for ONE image at a time.

Conventions: an image is (n_H, n_W) or (n_H, n_W, n_C); rows and columns are counted from 0 at the
top-left; a window is identified by its output cell (row, col) and covers the input cells whose
rows are top + k*d for k = 0..f-1 (likewise columns), with top = row * stride.
These helpers work in the explorers' own terms (single images, window positions, dilation); they
are deliberately not the batch (m, n_H, n_W, n_C) functions the course asks learners to write.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def effective_size(f, d=1):
    """Cells spanned by a filter of f taps spaced d apart: f_eff = d(f-1) + 1."""
    return d * (f - 1) + 1


def output_size(n, f, s=1, p=0, d=1):
    """Number of window positions along one axis: floor((n + 2p - f_eff) / s) + 1, or 0.

    n -- input length (cells); f, s, p, d -- filter size, stride, pad, dilation.
    Returns 0 when the filter does not fit in the padded input at all.
    """
    span = n + 2 * p - effective_size(f, d)
    return span // s + 1 if span >= 0 else 0


def window_cell(index, n_out_w):
    """(row, col) of the output cell written at step index, in row-major order."""
    return divmod(int(index), n_out_w)


def taps(start, f, d=1):
    """Input indices (along one axis) read by a window starting at start: start + k*d."""
    return start + d * np.arange(f)


def read_mask(n_padded, f, s, d, n_out):
    """Boolean (n_padded,): True where at least one of the n_out windows reads the cell.

    Cells left False are either past the last window (when (n + 2p - f_eff) is not a
    multiple of s) or fall between the taps of every dilated window.
    """
    read = np.zeros(n_padded, dtype=bool)
    for k in range(n_out):
        read[taps(k * s, f, d)] = True
    return read


def index_ranges(indices):
    """Compact text for sorted integer indices: [0, 1, 2, 5, 7, 8] -> '0..2, 5, 7..8'."""
    parts, indices = [], [int(i) for i in indices]
    start = prev = None
    for i in indices + [None]:
        if start is not None and (i is None or i != prev + 1):
            parts.append(str(start) if start == prev else f"{start}..{prev}")
            start = None
        if i is not None and start is None:
            start = i
        prev = i
    return ", ".join(parts)


def windows(image, f, s=1, d=1):
    """Values under every window: (n_out_H, n_out_W, f, f) or (n_out_H, n_out_W, f, f, n_C).

    image -- (n_H, n_W) or (n_H, n_W, n_C), already padded. A read-only strided view:
    no copy, so a 512x512 image costs no extra memory.
    """
    f_eff = effective_size(f, d)
    view = sliding_window_view(image, (f_eff, f_eff), axis=(0, 1))
    view = view[::s, ::s, ..., ::d, ::d]
    # sliding_window_view puts the window axes last; move channels behind them.
    return np.moveaxis(view, 2, -1) if image.ndim == 3 else view


def correlate(image, kernel, s=1, d=1, b=0.0):
    """Sum over each window of window values x kernel values, plus b: shape (n_out_H, n_out_W).

    image -- padded (n_H, n_W) with kernel (f, f), or (n_H, n_W, n_C) with kernel (f, f, n_C):
    every channel's products go into the one sum (one output channel).
    This is cross-correlation, which deep-learning courses call convolution.
    """
    f = kernel.shape[0]
    if output_size(image.shape[0], f, s, 0, d) == 0 or output_size(image.shape[1], f, s, 0, d) == 0:
        return np.zeros((0, 0))
    view = windows(image, f, s, d)
    spec = "ijab,ab->ij" if image.ndim == 2 else "ijabc,abc->ij"
    return np.einsum(spec, view, kernel) + b


def pool(image, f, s, mode):
    """Max or average of each f x f window (no padding, no dilation) of a 2-D image.

    image -- (n_H, n_W). Returns (values, argmax) with values (n_out_H, n_out_W) and argmax
    (n_out_H, n_out_W, 2): the (row, col) inside the window of the first maximum, which is
    the one input that receives the gradient in max pooling; argmax is None for "average".
    """
    if output_size(image.shape[0], f, s) == 0 or output_size(image.shape[1], f, s) == 0:
        return np.zeros((0, 0)), None
    view = windows(image, f, s)
    if mode == "average":
        return view.mean(axis=(2, 3)), None
    flat = view.reshape(view.shape[:2] + (f * f,))
    first = flat.argmax(axis=2)
    values = np.take_along_axis(flat, first[..., None], axis=2)[..., 0]
    return values, np.stack(np.divmod(first, f), axis=-1)


def differences(yours, reference, rtol=1e-5, atol=1e-8):
    """Cells where two maps of equal shape disagree beyond np.isclose tolerances.

    Returns (mask, first) with mask (n_H, n_W) bool, True where they differ (NaN counts as
    differing), and first the (row, col) of the first differing cell in row-major order,
    or None when all agree.
    """
    mask = ~np.isclose(yours, reference, rtol=rtol, atol=atol)
    hits = np.argwhere(mask)
    return mask, (tuple(int(i) for i in hits[0]) if len(hits) else None)


def local_gradient(window, kind, weights=None):
    """How much one output cell changes per unit change of each input of its window: (f, f).

    window -- (f, f) input values under the window; kind -- "conv", "max" or "average";
    weights -- (f, f) filter for "conv". conv: the weights themselves; max: 1 at the (first)
    maximum, 0 elsewhere; average: 1/f² everywhere. Multiplied by the upstream gradient dZ,
    this is what the window's inputs receive.
    """
    if kind == "conv":
        return np.asarray(weights, dtype=np.float64)
    if kind == "average":
        return np.full(window.shape, 1.0 / window.size)
    grad = np.zeros(window.shape)
    grad[np.unravel_index(np.argmax(window), window.shape)] = 1.0
    return grad


def transposed_size(n, f, s=1, p=0, op=0):
    """Output length of a transposed convolution: (n - 1)s - 2p + f + op (0 if not positive)."""
    return max((n - 1) * s - 2 * p + f + op, 0)


def scatter(x, w, s, upto=None):
    """The transposed convolution before cropping: every input cell paints w scaled by its value.

    x -- (n_H, n_W) input, w -- (f, f) filter, s -- stride (the step between painted copies).
    upto -- paint only the first upto cells in row-major order (None: all).
    Returns the ((n_H - 1)s + f, (n_W - 1)s + f) sum of the copies, overlaps added.
    """
    f = w.shape[0]
    n_h, n_w = x.shape
    full = np.zeros(((n_h - 1) * s + f, (n_w - 1) * s + f))
    for k, (i, j) in enumerate(np.ndindex(n_h, n_w)):
        if upto is not None and k >= upto:
            break
        full[i * s:i * s + f, j * s:j * s + f] += x[i, j] * w
    return full


def crop_transposed(full, p, op, n_out):
    """Cut the transposed output from a scatter: drop p rows/columns at the top/left, keep n_out.

    The output padding op adds op rows/columns at the bottom/right; where that reaches past the
    painted area the values are 0. full -- (N_H, N_W); n_out -- (n_out_H, n_out_W).
    """
    grown = np.pad(full, ((0, op), (0, op)))
    return grown[p:p + n_out[0], p:p + n_out[1]]


def zero_insert(x, s):
    """x with s - 1 zeros between neighbouring entries along rows and columns: ((n-1)s + 1, ...)."""
    n_h, n_w = x.shape
    out = np.zeros(((n_h - 1) * s + 1, (n_w - 1) * s + 1))
    out[::s, ::s] = x
    return out


def transposed_as_convolution(x, w, s, p, op):
    """The same transposed convolution as a stride-1 convolution of the zero-inserted input.

    Returns (padded, flipped, out): the zero-inserted x padded by f - 1 - p at the top/left and
    f - 1 - p + op at the bottom/right (requires p <= f - 1), the filter flipped in both axes,
    and their stride-1 cross-correlation, equal to crop_transposed(scatter(x, w, s), ...).
    """
    f = w.shape[0]
    lead, trail = f - 1 - p, f - 1 - p + op
    padded = np.pad(zero_insert(x, s), ((lead, trail), (lead, trail)))
    flipped = w[::-1, ::-1]
    return padded, flipped, correlate(padded, flipped, 1)


def correlate_backward(dz, kernel, s, d, in_shape):
    """The gradient of sum(dz * correlate(a, kernel, s, d)) with respect to the padded input a.

    dz -- (n_out_H, n_out_W); kernel -- (f, f); in_shape -- (n_H, n_W) of the padded input.
    Every output cell sends kernel * dz[h, w] back to the taps of its window (overlaps add):
    the explorers' own reference, in one image's terms, for the receptive-field experiment.
    """
    f = kernel.shape[0]
    da = np.zeros(in_shape)
    n_h, n_w = dz.shape
    for a in range(f):
        for b in range(f):
            da[a * d:a * d + s * (n_h - 1) + 1:s, b * d:b * d + s * (n_w - 1) + 1:s] += kernel[a, b] * dz
    return da


def dilated_kernel(kernel, d):
    """An (f_eff, f_eff) kernel with d - 1 zeros between the taps: dilation as a plain filter."""
    f = kernel.shape[0]
    out = np.zeros((effective_size(f, d),) * 2)
    out[::d, ::d] = kernel
    return out
