"""Correct: dA_prev as a full convolution of the stride-dilated dZ with the 180-degree-rotated filters."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    H_pad, W_pad = n_H_prev + 2 * p, n_W_prev + 2 * p
    # put dZ on the stride grid of the padded input, then pad by f - 1 (plus the uncovered rest)
    dilated = np.zeros((m, H_pad - f + 1, W_pad - f + 1, n_C))
    dilated[:, :s * (n_H - 1) + 1:s, :s * (n_W - 1) + 1:s, :] = dZ
    full = np.pad(dilated, ((0, 0), (f - 1, f - 1), (f - 1, f - 1), (0, 0)))
    windows = sliding_window_view(full, (f, f), axis=(1, 2))            # (m, H_pad, W_pad, n_C, f, f)
    W_rot = W[::-1, ::-1]
    dA_prev_pad = np.einsum("mhwkij,ijck->mhwc", windows, W_rot)
    dA_prev = dA_prev_pad[:, p:p + n_H_prev, p:p + n_W_prev, :]
    A_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    a_windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, :s * (n_H - 1) + 1:s, :s * (n_W - 1) + 1:s]
    dW = np.einsum("mhwcij,mhwk->ijck", a_windows, dZ)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1)
    return dA_prev, dW, db
