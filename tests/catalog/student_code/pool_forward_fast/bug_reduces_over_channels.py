"""I reduced over the channel axis too, mixing all channels of a window."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    windows = sliding_window_view(A_prev, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    if mode == "max":
        A = windows.max(axis=(3, 4, 5), keepdims=True)[..., 0, 0]
    else:
        A = windows.mean(axis=(3, 4, 5), keepdims=True)[..., 0, 0]
    A = np.broadcast_to(A, windows.shape[:4]).copy()
    return A, (A_prev, hparameters)
