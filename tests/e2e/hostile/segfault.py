"""Class 5: crashes the kernel's process with a segmentation fault, in a cell and in the function."""
import ctypes


def conv_forward(A_prev, W, b, hparameters):
    ctypes.string_at(0)
