"""Correct: loops i, c, h, w; bias gradient as a sum over each example's map."""
import numpy as np


def conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride = hparameters['stride']
    pad = hparameters['pad']
    m, n_H, n_W, n_C = dZ.shape
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant', constant_values=0)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    for i in range(m):
        for c in range(n_C):
            db[0, 0, 0, c] += np.sum(dZ[i, :, :, c])
            for h in range(n_H):
                for w in range(n_W):
                    a_slice = A_prev_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                    dA_prev_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db
