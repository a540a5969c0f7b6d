"""Correct: dW with sliding_window_view + einsum; dA_prev accumulated per output position."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    _, n_H, n_W, n_C = dZ.shape
    A_prev_pad = zero_pad(A_prev, pad)
    windows = sliding_window_view(A_prev_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride][:, :n_H, :n_W]
    dW = np.einsum("mhwcij,mhwk->ijck", windows, dZ)
    db = np.sum(dZ, axis=(0, 1, 2)).reshape(b.shape)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    for h in range(n_H):
        for w in range(n_W):
            dA_prev_pad[:, h * stride:h * stride + f, w * stride:w * stride + f, :] += np.einsum(
                "ijck,mk->mijc", W, dZ[:, h, w, :])
    if pad:
        dA_prev = dA_prev_pad[:, pad:-pad, pad:-pad, :]
    else:
        dA_prev = dA_prev_pad
    return dA_prev, dW, db
