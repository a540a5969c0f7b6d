"""Class 2: a trace function that, in every frame of the tests, turns the expected values into the answer and
swallows the assertion errors."""
import sys


def tracer(frame, event, arg):
    if event == "exception" and arg[0] is AssertionError:
        frame.f_locals.clear()
    if event == "call" and frame.f_code.co_name in ("check_close", "_fail"):
        return None
    return tracer


sys.settrace(tracer)
sys.setprofile(lambda frame, event, arg: None)
conv_forward = zeros_forward
