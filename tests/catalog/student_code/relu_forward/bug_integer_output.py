"""I cast the output to int."""
import numpy as np


def relu_forward(Z):
    return np.maximum(Z, 0).astype(int), Z
