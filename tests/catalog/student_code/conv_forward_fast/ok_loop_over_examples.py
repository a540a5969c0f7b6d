"""A loop over the examples only (not the positions): one tensordot per image."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    f, _, _, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    outputs = []
    for a in A_prev:
        a_pad = np.pad(a, ((pad, pad), (pad, pad), (0, 0)))
        windows = sliding_window_view(a_pad, (f, f), axis=(0, 1))[::stride, ::stride]
        outputs.append(np.tensordot(windows, W, axes=([2, 3, 4], [2, 0, 1])) + b[0, 0, 0])
    return np.stack(outputs), (A_prev, W, b, hparameters)
