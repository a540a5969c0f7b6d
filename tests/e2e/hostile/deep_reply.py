"""Class 2: answers the grader's requests with deeply nested, malformed or enormous JSON, to crash its decoder."""
import convstep.grading.kernelside as kernelside


class Bomb:
    def __repr__(self):
        return "[" * 100000 + "]" * 100000


kernelside.serve = lambda request, namespace=None: Bomb()
conv_forward = zeros_forward
