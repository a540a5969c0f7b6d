"""Class 2: the loop versions as the fast ones, and the course's loop versions and zero_pad (which the speed
tests once called by name in this kernel) rebound to slowed copies. Only calls from outside the student's
own functions are slowed (as an attacker would aim them), so the notebook's grading is not all sleep."""
# %% conv_forward_fast
import time

_loops = {"conv_forward": conv_forward, "conv_backward": conv_backward, "pool_forward": pool_forward,
          "zero_pad": zero_pad}
_own = []  # set while the student's own functions run


def _slowed(name):
    def slow(*args, **kwargs):
        if not _own:
            time.sleep(2)
        return _loops[name](*args, **kwargs)
    return slow


def _own_call(name, *args):
    _own.append(name)
    try:
        return _loops[name](*args)
    finally:
        _own.pop()


conv_forward, conv_backward, pool_forward, zero_pad = (_slowed(n) for n in _loops)


def conv_forward_fast(A_prev, W, b, hparameters):
    return _own_call("conv_forward", A_prev, W, b, hparameters)
# %% conv_backward_fast
def conv_backward_fast(dZ, cache):
    return _own_call("conv_backward", dZ, cache)
# %% pool_forward_fast
def pool_forward_fast(A_prev, hparameters, mode="max"):
    return _own_call("pool_forward", A_prev, hparameters, mode)
