"""Correct: window starts produced by range(0, ..., stride) and enumerate."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    A_prev_pad = zero_pad(A_prev, pad)
    H_pad, W_pad = A_prev_pad.shape[1], A_prev_pad.shape[2]
    n_H = (H_pad - f) // stride + 1
    n_W = (W_pad - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h, vert_start in enumerate(range(0, H_pad - f + 1, stride)):
            for w, horiz_start in enumerate(range(0, W_pad - f + 1, stride)):
                a_slice_prev = A_prev_pad[i, vert_start:vert_start + f, horiz_start:horiz_start + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])
    cache = (A_prev, W, b, hparameters)
    return Z, cache
