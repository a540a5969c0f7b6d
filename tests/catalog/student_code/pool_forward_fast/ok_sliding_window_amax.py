"""sliding_window_view, then np.amax or np.mean over the two window axes."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    if mode == "max":
        A = np.amax(windows, axis=(-2, -1))
    elif mode == "average":
        A = np.mean(windows, axis=(-2, -1))
    return A, (A_prev, hparameters)
