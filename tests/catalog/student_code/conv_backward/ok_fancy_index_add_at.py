"""Correct: gathers all windows with index arrays; scatters the window gradients back with np.add.at."""
import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f = W.shape[0]
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    _, n_H, n_W, n_C = dZ.shape
    rows = (np.arange(n_H) * stride)[:, None] + np.arange(f)[None, :]    # (n_H, f)
    cols = (np.arange(n_W) * stride)[:, None] + np.arange(f)[None, :]    # (n_W, f)
    R = rows[:, None, :, None]
    C = cols[None, :, None, :]
    A_prev_pad = zero_pad(A_prev, pad)
    windows = A_prev_pad[:, R, C, :]                                       # (m, n_H, n_W, f, f, n_C_prev)
    dW = np.einsum("mhwijc,mhwk->ijck", windows, dZ)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dwindows = np.einsum("mhwk,ijck->mhwijc", dZ, W)
    dA_prev_pad = np.zeros_like(A_prev_pad)
    np.add.at(dA_prev_pad, (slice(None), R, C, slice(None)), dwindows)
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db
