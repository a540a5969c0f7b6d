"""CS231n-style im2col with index arrays (fancy indexing), then one matrix product."""
import numpy as np


def _indices(n_H, n_W, f, stride):
    rows = (stride * np.arange(n_H))[:, None, None, None] + np.arange(f)[None, None, :, None]
    cols = (stride * np.arange(n_W))[None, :, None, None] + np.arange(f)[None, None, None, :]
    return np.broadcast_to(rows, (n_H, n_W, f, f)), np.broadcast_to(cols, (n_H, n_W, f, f))


def conv_forward_fast(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = int((n_H_prev + 2 * pad - f) / stride) + 1
    n_W = int((n_W_prev + 2 * pad - f) / stride) + 1
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    rows, cols = _indices(n_H, n_W, f, stride)
    X_col = A_pad[:, rows, cols, :]                      # (m, n_H, n_W, f, f, n_C_prev)
    Z = X_col.reshape(m * n_H * n_W, -1).dot(W.reshape(-1, n_C)) + b.ravel()
    return Z.reshape(m, n_H, n_W, n_C), (A_prev, W, b, hparameters)
