"""im2col: windows moved to (m, n_H, n_W, f, f, n_C_prev), reshaped to a matrix, times W reshaped."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    m = A_prev.shape[0]
    f, _, n_C_prev, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    n_H, n_W = windows.shape[1], windows.shape[2]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(m * n_H * n_W, f * f * n_C_prev)
    Z = cols @ W.reshape(f * f * n_C_prev, n_C) + b.reshape(1, n_C)
    cache = (A_prev, W, b, hparameters)
    return Z.reshape(m, n_H, n_W, n_C), cache
