"""I made "average" the default mode."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="average"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    A = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    return A, (A_prev, hparameters)
