"""I returned the mask Z > 0 as the output."""
import numpy as np


def relu_forward(Z):
    return (Z > 0).astype(float), Z
