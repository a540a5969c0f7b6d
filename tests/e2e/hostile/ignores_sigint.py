"""Class 5: sets SIGINT to be ignored, then loops forever inside the function under test."""
import signal


def conv_forward(A_prev, W, b, hparameters):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
