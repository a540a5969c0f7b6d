"""Vectorized with einsum(optimize=True); the cache is a list instead of a tuple."""
import numpy as np


def conv_forward_fast(A_prev, W, b, hparameters):
    f = W.shape[0]
    pad = hparameters.get("pad", 0)
    stride = hparameters.get("stride", 1)
    A_pad = zero_pad(A_prev, pad)
    windows = np.lib.stride_tricks.sliding_window_view(A_pad, window_shape=(f, f), axis=(1, 2))
    windows = windows[:, ::stride, ::stride, :, :, :]
    Z = np.einsum("abcdef,efdg->abcg", windows, W, optimize=True)
    Z = Z + b
    return Z, [A_prev, W, b, hparameters]
