"""Correct: loops over (i, h, w); all filters at once by broadcasting over the last axis of W."""
import numpy as np


def conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                vs, ve = h * stride, h * stride + f
                hs, he = w * stride, w * stride + f
                g = dZ[i, h, w, :]
                dA_prev_pad[i, vs:ve, hs:he, :] += np.sum(W * g, axis=3)
                dW += A_prev_pad[i, vs:ve, hs:he, :, np.newaxis] * g
                db[0, 0, 0, :] += g
    dA_prev = dA_prev_pad[:, pad:dA_prev_pad.shape[1] - pad, pad:dA_prev_pad.shape[2] - pad, :]
    return dA_prev, dW, db
