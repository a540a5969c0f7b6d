"""A loop over the f x f filter offsets, with einsum for dW and for the input gradient."""
import numpy as np


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    _, n_H_prev, n_W_prev, _ = A_prev.shape
    _, n_H, n_W, _ = dZ.shape
    f = W.shape[0]
    A_pad = zero_pad(A_prev, pad)
    dA_pad = np.zeros_like(A_pad)
    dW = np.zeros_like(W)
    for x in range(f):
        for y in range(f):
            rs = slice(x, x + stride * n_H, stride)
            cs = slice(y, y + stride * n_W, stride)
            dW[x, y] = np.einsum("mhwk,mhwc->kc", A_pad[:, rs, cs, :], dZ)
            dA_pad[:, rs, cs, :] += np.einsum("mhwc,kc->mhwk", dZ, W[x, y])
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    return dA_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :], dW, db
