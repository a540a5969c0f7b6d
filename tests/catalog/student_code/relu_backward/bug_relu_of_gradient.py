"""I applied a ReLU to the gradient."""
import numpy as np


def relu_backward(dA, cache):
    return np.maximum(dA, 0)
