"""tensordot of the window axes (channel, row, column) with W's axes (2, 0, 1)."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    f = W.shape[0]
    s = hparameters["stride"]
    p = hparameters["pad"]
    padded = np.pad(A_prev, [(0, 0), (p, p), (p, p), (0, 0)])
    windows = sliding_window_view(padded, (f, f), axis=(1, 2))[:, ::s, ::s]
    Z = np.tensordot(windows, W, axes=([3, 4, 5], [2, 0, 1])) + b.reshape(-1)
    return Z, (A_prev, W, b, hparameters)
