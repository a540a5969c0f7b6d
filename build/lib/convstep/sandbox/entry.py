"""The sandbox's first process: set the limits, become nobody, watch, and start the kernel.

``python -m convstep.sandbox.entry [options] -- <ipykernel arguments>`` runs inside bubblewrap
(``convstep.sandbox.bwrap``). It sets the address-space and file-size limits (the cgroup around
the sandbox holds the real memory limit), drops root for the unprivileged user, copies the
assignment's data files into the working directory, installs an audit hook that logs what student
code does outside its folder — files, network, processes, frame inspection — with cell and line,
for the integrity report, and runs the ipykernel in this process.

The audit hook is detection, in the student's own process: it cannot protect anything and does not
have to. What protects the grades is that the tests never run here (``convstep.grading.checker``);
what protects the machine is the sandbox around this process.
"""

import argparse
import importlib
import importlib.machinery
import json
import os
import re
import resource
import shutil
import sys
import types

# Files of executed cells: ipykernel writes each cell to /tmp/ipykernel_<pid>/<hash>.py.
CELL_FILE = re.compile(r"(/ipykernel_\d+/-?\d+\.py|<ipython-input-\d+-[0-9a-f]+>)$")
WATCHED_EVENTS = {
    "open": "file", "os.listdir": "file", "os.scandir": "file", "os.remove": "file", "os.rename": "file",
    "shutil.rmtree": "file", "os.chmod": "file",
    "socket.connect": "network", "socket.getaddrinfo": "network", "socket.bind": "network",
    "subprocess.Popen": "process", "os.system": "process", "os.exec": "process", "os.posix_spawn": "process",
    "os.fork": "process", "os.forkpty": "process", "os.kill": "process", "os.killpg": "process",
    "sys._getframe": "frames", "sys._current_frames": "frames",
    "ctypes.dlopen": "native code", "ctypes.dlsym": "native code",
}
MAX_EVENTS = 200
REPEATS = 3


class Audit:
    """The audit hook: one JSON line per event student code caused outside its folder."""

    def __init__(self, log_fd, workdir, allowed_roots, scratch_roots=("/tmp",)):
        self.log_fd = log_fd
        self.workdir = os.path.realpath(workdir)
        self.allowed = [os.path.realpath(p) for p in allowed_roots]
        self.scratch = [os.path.realpath(p) for p in scratch_roots]
        self.seen = {}
        self.events = 0
        self.busy = False

    def log(self, record):
        key = (record["event"], record["cell"], record["line"])
        self.seen[key] = self.seen.get(key, 0) + 1
        # a loop repeats the same event: a few of each are enough for the report
        if self.events >= MAX_EVENTS or self.log_fd is None or self.seen[key] > REPEATS:
            return
        self.events += 1
        try:
            os.write(self.log_fd, (json.dumps(record) + "\n").encode())
        except OSError:  # the submission closed our descriptor: nothing more can be logged
            self.log_fd = None

    def outside(self, path):
        """Whether a path a cell touched lies outside its folder: any notebook, or anything but
        the working directory, the read-only Python installation and the private /tmp."""
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False
        full = os.path.realpath(os.path.join(self.workdir, os.fsdecode(path)))
        under = lambda roots: any(full == root or full.startswith(root + os.sep) for root in roots)
        if full.endswith(".ipynb"):
            return True  # looking for a notebook (the one with the hidden tests, a classmate's)
        return not under([self.workdir, *self.allowed, *self.scratch])

    def __call__(self, event, args):
        category = WATCHED_EVENTS.get(event)
        if category is None or self.busy:
            return
        self.busy = True  # sys._getframe below raises an audit event of its own
        try:
            frame, depth, cell = sys._getframe(1), 0, None
            while frame is not None:
                if CELL_FILE.search(frame.f_code.co_filename):
                    cell = frame
                    break
                frame, depth = frame.f_back, depth + 1
            # Only what student code asked for: a cell frame in the stack; for frame inspection,
            # the cell itself must be the caller (libraries look at frames for their own reasons).
            if cell is None or (category == "frames" and depth > 1):
                return
            if category == "file" and not (args and self.outside(args[0])):
                return
            detail = ", ".join(repr(a)[:120] for a in args[:2]) if category != "frames" else ""
            self.log({"event": event, "category": category, "detail": detail,
                      "cell": cell_number(cell.f_code.co_filename), "line": cell.f_lineno})
        except Exception:  # an audit hook must never break the code it watches
            pass
        finally:
            self.busy = False


def cell_number(filename):
    """The execution count of the cell compiled from ``filename`` (None if unknown)."""
    try:
        from IPython import get_ipython

        return get_ipython().compile._filename_map.get(filename)
    except AttributeError:
        return None


def set_limits(memory, file_size):
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("convstep.sandbox.entry: could not drop root privileges")


def stage(source, target):
    """Copy the assignment's data files into ``target`` (the grader put only those in ``source``)."""
    if source and os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(source):
            item, copy = os.path.join(source, name), os.path.join(target, name)
            (shutil.copytree if os.path.isdir(item) else shutil.copyfile)(item, copy)


class LazyModule(types.ModuleType):
    """A stand-in for a module in sys.modules that imports it on first use: a graded notebook
    imports matplotlib, but draws only if the student changed a figure cell. (importlib's LazyLoader
    does not do here: the next import statement of the module reads its __spec__, which loads it.)
    A submodule's stand-in may sit on its parent's: finding it does not load the parent."""

    def __init__(self, name):
        super().__init__(name)
        parent, _, child = name.rpartition(".")
        path = sys.modules[parent].__spec__.submodule_search_locations if parent else None
        self.__spec__ = importlib.machinery.PathFinder.find_spec(name, path)
        self.__file__ = self.__spec__.origin  # ipykernel lists every module's file when it starts
        if parent:
            setattr(sys.modules[parent], child, self)  # what `import parent.child as x` reads

    def __getattr__(self, attribute):  # called only for what the stand-in does not hold yet
        del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)  # from now on the stand-in answers as the module
        return getattr(module, attribute)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m convstep.sandbox.entry")
    parser.add_argument("--uid", type=int, help="become this user (when started as root)")
    parser.add_argument("--memory", type=int, required=True, help="address-space limit, bytes")
    parser.add_argument("--file-size", type=int, required=True, help="largest file it may write, bytes")
    parser.add_argument("--stage", help="folder whose files are copied into the working directory")
    parser.add_argument("--fonts", help="folder with matplotlib's font list, copied to MPLCONFIGDIR")
    parser.add_argument("--log", required=True, help="audit log (opened before privileges are dropped)")
    parser.add_argument("--allow", action="append", default=[], help="read-only roots it may read")
    parser.add_argument("--preload", action="append", default=[], help="modules to import before the kernel starts")
    parser.add_argument("--lazy", action="append", default=[], help="modules imported only when first used")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    log_fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    set_limits(args.memory, args.file_size)
    if os.getuid() == 0 and args.uid is not None:
        drop_privileges(args.uid)
    workdir = os.getcwd()
    stage(args.stage, workdir)
    if args.fonts and os.environ.get("MPLCONFIGDIR"):
        stage(args.fonts, os.environ["MPLCONFIGDIR"])
    for module in args.preload:  # what every notebook imports, while the kernel is still booting
        importlib.import_module(module)
    for module in args.lazy:
        sys.modules[module] = LazyModule(module)
    # No debugger in a graded kernel: ipykernel imports debugpy when it finds it (55 ms of every start).
    sys.modules["debugpy"] = None
    sys.addaudithook(Audit(log_fd, workdir, ["/dev/null", "/dev/urandom", "/proc/self", *args.allow]))

    # The kernel's own stdout is not the notebook's (ipykernel captures that): keep its start-up
    # banner out of the grader's terminal. Its stderr is a pipe the grader reads, capped.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    if sys.path and sys.path[0] in ("", os.path.dirname(__file__)):
        del sys.path[0]  # as ipykernel_launcher does
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=args.kernel_args[1:] if args.kernel_args[:1] == ["--"] else args.kernel_args)


if __name__ == "__main__":
    main()
