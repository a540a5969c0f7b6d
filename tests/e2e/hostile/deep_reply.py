"""Class 2: answers the grader's requests with deeply nested, malformed or enormous JSON, to crash its decoder."""
import convstep.grading.kernelside as kernelside

kernelside.serve = lambda text, buffers, namespace: ("[" * 100000 + "]" * 100000, [b"x" * 1000] * 1000)
conv_forward = zeros_forward
