"""Correct: builds the windows with as_strided and contracts them with einsum."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    s, p = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev + 2 * p - f) // s + 1
    n_W = (n_W_prev + 2 * p - f) // s + 1
    A_pad = np.ascontiguousarray(zero_pad(A_prev, p))
    sm, sh, sw, sc = A_pad.strides
    windows = as_strided(A_pad, shape=(m, n_H, n_W, f, f, n_C_prev),
                         strides=(sm, sh * s, sw * s, sh, sw, sc), writeable=False)
    Z = np.einsum("mhwijc,ijck->mhwk", windows, W) + b
    return Z, (A_prev, W, b, hparameters)
