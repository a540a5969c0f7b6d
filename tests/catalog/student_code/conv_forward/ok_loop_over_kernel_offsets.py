"""Correct: loops over the f*f kernel offsets, each adding a strided slice @ W[di, dj]."""
import numpy as np


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    A_prev_pad = zero_pad(A_prev, pad)
    Z = np.zeros((m, n_H, n_W, n_C)) + b
    for di in range(f):
        for dj in range(f):
            rows = A_prev_pad[:, di:di + stride * (n_H - 1) + 1:stride, dj:dj + stride * (n_W - 1) + 1:stride, :]
            Z += rows @ W[di, dj]
    return Z, (A_prev, W, b, hparameters)
