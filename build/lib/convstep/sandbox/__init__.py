"""The sandbox every autograded kernel runs in.

- ``bwrap``: the bubblewrap command line (what the kernel sees);
- ``cgroup``: memory and process limits that count everything;
- ``kernel``: the kernel manager that starts kernels inside both and caps what comes out;
- ``entry``: the sandbox's first process (limits, privileges, audit hook, the kernel).

If the sandbox cannot be set up, grading refuses, naming the fix.
"""

import functools
import shutil
import subprocess
import sys

from convstep.sandbox import bwrap, cgroup

FIX = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) on a Linux machine that allows "
       "namespaces and cgroups; or, knowingly, grade without a sandbox: nbgrader autograde ... "
       "--SandboxedExecute.sandbox=False (python3 -m convstep demo --no-sandbox)")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here; the message says how to fix it."""


@functools.lru_cache(maxsize=1)
def problem():
    """None if a trial sandbox runs on this machine, else what is wrong and how to fix it."""
    if sys.platform != "linux":
        return f"grading in a sandbox needs Linux (this is {sys.platform}); {FIX}"
    if shutil.which("bwrap") is None:
        return f"bubblewrap (bwrap) is not installed; {FIX}"
    trial = subprocess.run([shutil.which("bwrap"), *bwrap.namespace_args(), "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True)
    if trial.returncode != 0:
        return f"bubblewrap cannot create a sandbox here ({trial.stderr.strip()}); {FIX}"
    why = cgroup.problem()
    if why:
        return f"the sandbox's memory limit needs a cgroup: {why}; {FIX}"
    return None


def require():
    if problem():
        raise SandboxUnavailable("refusing to grade without a sandbox: " + problem())
