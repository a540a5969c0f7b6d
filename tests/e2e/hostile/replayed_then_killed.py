"""Class 5: a slow cell that succeeds, then a function that kills the kernel at every call: each restart
would replay the slow cell again."""
import os
import time

time.sleep(__TIMEOUT__ - 0.5)


def conv_forward(A_prev, W, b, hparameters):
    os._exit(1)
