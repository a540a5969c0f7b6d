"""Correct: (a*W).sum() + b.flat[0]."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    return (a_slice_prev * W).sum() + b.flat[0]
