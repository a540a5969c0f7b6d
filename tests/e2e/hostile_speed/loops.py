"""The baseline of this batch: the course's loop versions called as the fast ones. Right answers, no speed."""
# %% conv_forward_fast
def conv_forward_fast(A_prev, W, b, hparameters):
    return conv_forward(A_prev, W, b, hparameters)
# %% conv_backward_fast
def conv_backward_fast(dZ, cache):
    return conv_backward(dZ, cache)
# %% pool_forward_fast
def pool_forward_fast(A_prev, hparameters, mode="max"):
    return pool_forward(A_prev, hparameters, mode)
