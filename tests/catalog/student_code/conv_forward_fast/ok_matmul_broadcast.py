"""Windows flattened per position with np.matmul against W flattened in the same (row, column, channel) order."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    f = W.shape[0]
    n_C = W.shape[3]
    pad, stride = hparameters["pad"], hparameters["stride"]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    win = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    win = np.moveaxis(win, 3, -1)                        # (m, n_H, n_W, f, f, n_C_prev)
    flat = win.reshape(win.shape[:3] + (-1,))
    Z = np.matmul(flat, W.reshape(-1, n_C)) + np.squeeze(b, axis=(0, 1, 2))
    return Z, (A_prev, W, b, hparameters)
