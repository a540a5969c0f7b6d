"""dW from the windows; dA as a full correlation of the dilated, padded dZ with the flipped filters."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_backward_fast(dZ, cache):
    A_prev, W, b, hparameters = cache
    s, p = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    A_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::s, ::s][:, :n_H, :n_W]
    dW = np.einsum("mhwkxy,mhwc->xykc", windows, dZ)
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    # dZ with stride - 1 zeros between its entries, padded by f - 1: every input sees its windows
    dilated = np.zeros((m, s * (n_H - 1) + 1, s * (n_W - 1) + 1, n_C))
    dilated[:, ::s, ::s, :] = dZ
    H_pad, W_pad = A_pad.shape[1], A_pad.shape[2]
    framed = np.pad(dilated, ((0, 0), (f - 1, H_pad - dilated.shape[1]), (f - 1, W_pad - dilated.shape[2]), (0, 0)))
    dwin = sliding_window_view(framed, (f, f), axis=(1, 2))[:, :H_pad, :W_pad]
    dA_pad = np.einsum("mhwcxy,xykc->mhwk", dwin, W[::-1, ::-1])
    return dA_pad[:, p:p + n_H_prev, p:p + n_W_prev, :], dW, db
