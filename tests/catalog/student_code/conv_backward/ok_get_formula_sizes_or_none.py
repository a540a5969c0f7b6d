"""Correct: .get for the hyperparameters, output size from the formula, unpads with [pad:-pad or None]."""
import math
import numpy as np


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    stride = hparameters.get("stride", 1)
    pad = hparameters.get("pad", 0)
    n_H = math.floor((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = math.floor((n_W_prev - f + 2 * pad) / stride) + 1
    dA_prev = np.zeros_like(A_prev)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start, horiz_start = h * stride, w * stride
                    vert_end, horiz_end = vert_start + f, horiz_start + f
                    dz = dZ[i, h, w, c]
                    dA_prev_pad[i, vert_start:vert_end, horiz_start:horiz_end, :] += W[..., c] * dz
                    dW[..., c] += A_prev_pad[i, vert_start:vert_end, horiz_start:horiz_end, :] * dz
                    db[..., c] += dz
    dA_prev[:] = dA_prev_pad[:, pad:-pad or None, pad:-pad or None, :]
    return dA_prev, dW, db
