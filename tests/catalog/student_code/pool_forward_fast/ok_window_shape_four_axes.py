"""sliding_window_view with a 4-D window (1, f, f, 1), squeezed afterwards."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (1, f, f, 1))[:, ::stride, ::stride, :, 0, :, :, 0]
    if mode == "average":
        return windows.mean(axis=(-1, -2)), (A_prev, hparameters)
    return windows.max(axis=(-1, -2)), (A_prev, hparameters)
