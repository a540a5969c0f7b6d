"""Class 5: an error whose class name is 3.5 million characters and whose message is 7 million, and a
module named with 7 million characters in the notebook's namespace."""
import sys
import types

sys.modules["m" * 7_000_000] = types.ModuleType("m" * 7_000_000)
globals()["m" * 1000] = sys.modules["m" * 7_000_000]
Huge = type("E" * 3_500_000, (Exception,), {})


def conv_forward(A_prev, W, b, hparameters):
    raise Huge("x" * 7_000_000)
