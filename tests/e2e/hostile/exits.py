"""Class 5: ends the kernel from inside the function under test (os._exit, sys.exit, SystemExit)."""
import os
import sys


def conv_single_step(a_slice_prev, W, b):
    sys.exit("bye")


def conv_forward(A_prev, W, b, hparameters):
    os._exit(3)
