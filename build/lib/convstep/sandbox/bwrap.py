"""The bubblewrap command line of a sandbox: what the kernel can see, and nothing else.

Read-only: /usr (and the /bin, /lib links into it), the Python installation, the virtual
environment and this package. Private and size-capped: /tmp, /dev/shm and the home folder that is
the kernel's working directory (a tmpfs each, so every byte written there counts against its size
and against the cgroup). Shared with the grader: one folder for the kernel's sockets and audit log,
and read-only copies of the assignment's data files and matplotlib's font list. No network, no
other processes, no terminal, no course file.
"""

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = "/home/student"
SANDBOX_UID = 65534  # nobody: the kernel's user when the grader runs as root


@dataclass
class Layout:
    """Where a sandbox's pieces are on the host, and how big its private folders may grow."""

    box: Path             # host folder: run/ (sockets, audit log), stage/ (data files), mpl/ (font list)
    tmp_size: int         # bytes of each private tmpfs (home, /tmp)
    shm_size: int         # bytes of /dev/shm
    env: dict = field(default_factory=dict)  # variables passed in (NBGRADER_EXECUTION, ...)

    @property
    def run(self):
        return self.box / "run"

    @property
    def stage(self):
        return self.box / "stage"

    @property
    def fonts(self):
        return self.box / "mpl"


def python_roots():
    """The read-only trees the kernel runs from: the Python installation, the virtual environment,
    this package (installed editable from the course repository, whose other files stay out)."""
    return sorted({os.path.realpath(p) for p in [sys.base_prefix, sys.prefix, PACKAGE_DIR]})


def namespace_args():
    args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    if os.geteuid() == 0:
        # As root: no user namespace, so the entry point can become `nobody` itself.
        return args + ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args + ["--unshare-user"]


def _parents(path, made):
    """bwrap arguments creating the missing ancestors of ``path``, world-readable."""
    args = []
    for parent in reversed(Path(path).parents):
        if str(parent) != "/" and str(parent) not in made:
            made.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def command(layout, inner):
    """The full command running ``inner`` (the entry point and the kernel) in the sandbox."""
    made = {"/tmp", "/dev"}
    args = [shutil.which("bwrap"), *namespace_args(), "--ro-bind", "/usr", "/usr"]
    for top in ["/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32"]:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ["/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types"]:
        args += ["--ro-bind-try", name, name]
    # /tmp first: the folders below may lie under it (a course cloned into /tmp, say).
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(layout.shm_size), "--tmpfs", "/dev/shm",
             "--perms", "1777", "--size", str(layout.tmp_size), "--tmpfs", "/tmp"]
    for root in python_roots():
        args += _parents(root, made) + ["--ro-bind", root, root]
    args += _parents(HOME + "/x", made) + ["--perms", "1777", "--size", str(layout.tmp_size), "--tmpfs", HOME]
    args += _parents(layout.run, made) + ["--bind", str(layout.run), str(layout.run),
                                          "--ro-bind", str(layout.stage), str(layout.stage),
                                          "--ro-bind", str(layout.fonts), str(layout.fonts)]
    variables = {"HOME": HOME, "PATH": f"{os.path.join(sys.prefix, 'bin')}:/usr/bin:/bin", "LANG": "C.UTF-8",
                 "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
                 # as ipykernel sets it, but before pyplot (loaded before or in a cell) reads it
                 "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                 "PYTHONDONTWRITEBYTECODE": "1",
                 "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **layout.env}
    for name, value in variables.items():
        args += ["--setenv", name, value]
    return args + ["--chdir", HOME, "--", *inner]
