"""Class 3: returns NaN and infinity in the hope that a comparison treats them as equal."""
def conv_forward(A_prev, W, b, hparameters):
    Z, cache = zeros_forward(A_prev, W, b, hparameters)
    Z[...] = np.nan
    Z[0] = np.inf
    return Z, cache
