"""sliding_window_view on the padded input, every stride-th window, one einsum without optimize."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant")
    windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.einsum("mhwcij,ijcn->mhwn", windows, W) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters)
