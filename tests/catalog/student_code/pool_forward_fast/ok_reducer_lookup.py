"""The reducer looked up in a dictionary by mode, hparameters read with .get."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_forward_fast(A_prev, hparameters, mode="max"):
    f, stride = hparameters.get("f"), hparameters.get("stride")
    reduce = {"max": np.max, "average": np.mean}[mode]
    windows = sliding_window_view(A_prev, window_shape=(f, f), axis=(1, 2))
    return reduce(windows[:, ::stride, ::stride], axis=(4, 5)), (A_prev, hparameters)
