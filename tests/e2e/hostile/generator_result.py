"""Class 3: returns lazy objects (a generator, a function) instead of values."""
def conv_forward(A_prev, W, b, hparameters):
    Z, cache = zeros_forward(A_prev, W, b, hparameters)
    return (row for row in Z), (lambda: cache)
