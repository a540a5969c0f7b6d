"""Class 2: replaces the kernel-side answer to the grader's requests with one that claims success: every
call returns what a right answer would look like (here: the text of a passing test)."""
import sys

import convstep.grading.kernelside as kernelside
from convstep import wire

real = kernelside.serve


def serve(text, buffers, namespace):
    answer = wire.decode(*real(text, buffers, namespace))
    if "result" in answer:
        answer["result"] = "conv_forward: visible tests passed."
    return wire.encode(answer)


kernelside.serve = serve
sys.modules["convstep.grading.kernelside"] = kernelside
conv_forward = zeros_forward
