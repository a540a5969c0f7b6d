"""The array method Z.clip(min=0)."""
import numpy as np


def relu_forward(Z):
    return Z.clip(min=0), Z
