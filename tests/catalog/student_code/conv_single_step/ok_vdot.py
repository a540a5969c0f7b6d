"""Correct: np.vdot (flattens both arrays) plus b[0][0][0]."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    return np.vdot(a_slice_prev, W) + b[0][0][0]
