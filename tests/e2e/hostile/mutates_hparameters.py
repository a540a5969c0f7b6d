"""Class 3: changes the hparameters dict it is given, and returns the cache's copy unchanged."""
def conv_forward(A_prev, W, b, hparameters):
    Z, cache = zeros_forward(A_prev, W, b, hparameters)
    saved = dict(hparameters)
    hparameters.clear()
    hparameters["stride"] = 99
    return Z, (A_prev, W, b, saved)
