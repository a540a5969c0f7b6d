"""Correct: sliding_window_view over (H, W), every stride-th window, tensordot with W."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward(A_prev, W, b, hparameters):
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    f = W.shape[0]
    A_prev_pad = zero_pad(A_prev, pad)
    windows = sliding_window_view(A_prev_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    # windows: (m, n_H, n_W, n_C_prev, f, f)
    Z = np.tensordot(windows, W, axes=([4, 5, 3], [0, 1, 2])) + b[0, 0, 0]
    cache = (A_prev, W, b, hparameters)
    return Z, cache
