"""Correct: sliding_window_view over (H, W), every stride-th window, max/mean over the window axes."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    if mode == "max":
        A = windows.max(axis=(-2, -1))
    elif mode == "average":
        A = windows.mean(axis=(-2, -1))
    cache = (A_prev, hparameters)
    return A, cache
