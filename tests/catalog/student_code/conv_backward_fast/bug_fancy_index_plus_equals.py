"""col2im with dA_pad[:, rows, cols, :] += dX_col: repeated indices are added only once."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    f, _, n_C_prev, _ = W.shape
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    rows = (stride * np.arange(n_H))[:, None, None, None] + np.arange(f)[None, None, :, None]
    cols = (stride * np.arange(n_W))[None, :, None, None] + np.arange(f)[None, None, None, :]
    rows, cols = np.broadcast_arrays(rows, cols)
    X_col = A_pad[:, rows, cols, :].reshape(m * n_H * n_W, f * f * n_C_prev)
    dZ_flat = dZ.reshape(m * n_H * n_W, n_C)
    dW = (X_col.T @ dZ_flat).reshape(W.shape)
    db = dZ_flat.sum(axis=0).reshape(1, 1, 1, n_C)
    dX_col = (dZ_flat @ W.reshape(-1, n_C).T).reshape(m, n_H, n_W, f, f, n_C_prev)
    dA_pad = np.zeros(A_pad.shape)
    dA_pad[:, rows, cols, :] += dX_col
    return dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2], :], dW, db
