"""I reduced over the last axis only, the columns of each window."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = windows.max(axis=5) if mode == "max" else windows.mean(axis=5)
    return A[..., 0], (A_prev, hparameters)
