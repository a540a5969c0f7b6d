"""ConvNets Step by Step: course tooling, visual explorers and test helpers.

Never holds exercise solutions or hidden tests: those live only in ``source/``.
"""

__version__ = "0.1.0"
