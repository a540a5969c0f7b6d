"""Class 5: never returns, and swallows the KeyboardInterrupt of the timeout."""
def conv_forward(A_prev, W, b, hparameters):
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass
