"""Class 4: makes the grader's read-only arguments writable again (the wire's decoder patched, numpy's flag
forced) and zeroes its inputs in place, so that no write error gives it away."""
import convstep.wire as wire

real_decode = wire.decode
wire.decode = lambda text, buffers=(), writable=True: real_decode(text, buffers, True)


def conv_forward(A_prev, W, b, hparameters):
    Z, cache = zeros_forward(A_prev, W, b, hparameters)
    for array in (A_prev, W, b):
        try:
            array.flags.writeable = True
        except ValueError:
            pass
        array[...] = 0
    return Z, cache
