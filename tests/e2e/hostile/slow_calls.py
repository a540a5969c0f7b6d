"""Class 5: every call takes just under the cell timeout, so that each test cell uses its whole time."""
import time


def conv_forward(A_prev, W, b, hparameters):
    time.sleep(__TIMEOUT__ - 0.5)
    return zeros_forward(A_prev, W, b, hparameters)
