"""My forward returns the cache as a dictionary of named arrays, and my backward reads it by name."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward_fast(A_prev, W, b, hparameters):
    f = W.shape[0]
    stride, pad = hparameters["stride"], hparameters["pad"]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    Z = np.einsum("mhwkxy,xykc->mhwc", windows, W) + b.reshape(-1)
    return Z, {"A_pad": A_pad, "W": W, "b": b, "stride": stride, "pad": pad}


def conv_backward_fast(dZ, cache):
    A_pad, W, stride, pad = cache["A_pad"], cache["W"], cache["stride"], cache["pad"]
    f = W.shape[0]
    n_H, n_W = dZ.shape[1:3]
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for x in range(f):
        for y in range(f):
            part = np.s_[:, x:x + stride * (n_H - 1) + 1:stride, y:y + stride * (n_W - 1) + 1:stride, :]
            dW[x, y] = np.einsum("mhwk,mhwc->kc", A_pad[part], dZ)
            dA_pad[part] += dZ @ W[x, y].T
    dA_prev = dA_pad[:, pad:A_pad.shape[1] - pad, pad:A_pad.shape[2] - pad, :]
    return dA_prev, dW, dZ.sum(axis=(0, 1, 2)).reshape(cache["b"].shape)
