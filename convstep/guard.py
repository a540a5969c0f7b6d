"""Inside the grading sandbox: start the student's kernel, and watch it.

``python -m convstep.guard [options] -- <ipykernel arguments>`` runs as the first process in the
bubblewrap sandbox that ``convstep.sandbox`` builds. It

1. sets resource limits (memory, processes, file size) and, when started as root, becomes the
   unprivileged sandbox user, so that the limits hold and nothing of the host is writable;
2. copies the assignment's data files into the private working directory;
3. installs an audit hook that logs what student code does outside its folder (files, network,
   processes, frame inspection) to a log the grader reads afterwards, with the cell and line;
4. remembers numpy, numpy.testing, builtins, the test helpers and IPython's cell machinery, so that
   ``check()`` — which the grader runs after every cell — can report and undo any monkeypatching
   before the next test runs;
5. runs the ipykernel in this process.

It is best effort against code in the same process: the sandbox (no network, no secrets mounted,
read-only system) is what protects the grader; this module is what lets the report name the cell.
"""

import argparse
import json
import os
import re
import resource
import shutil
import sys

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
PATCHABLE = ["numpy", "numpy.testing", "builtins", "convstep.checks"]
# Builtins the kernel itself swaps in and out around every request: input() forwarding (ipykernel),
# get_ipython/exit/quit (IPython's builtin trap) and the last results.
KERNEL_MANAGED = {("builtins", name) for name in ["input", "raw_input", "get_ipython", "exit", "quit",
                                                   "_", "__", "___"]}


class Guard:
    """The kernel-side watcher. One instance per kernel, stored in sys.modules["_convstep_guard"]."""

    def __init__(self, log_fd, workdir, system_roots, denied_roots, scratch_roots=("/tmp",)):
        self.log_fd = log_fd
        self.workdir = os.path.realpath(workdir)
        self.system = [os.path.realpath(p) for p in system_roots]
        self.denied = [os.path.realpath(p) for p in denied_roots]
        self.scratch = [os.path.realpath(p) for p in scratch_roots]
        self.seen = {}
        self.events = 0
        self.busy = False
        self.originals = {}
        self.shell_state = None

    # ------------------------------------------------------------ audit log

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
        """Whether a path a cell touched lies outside its folder: a notebook, anything in the course
        directory (which the sandbox hides), or anything but the read-only Python installation
        and the private /tmp."""
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False
        full = os.path.realpath(os.path.join(self.workdir, os.fsdecode(path)))
        under = lambda roots: any(full == root or full.startswith(root + os.sep) for root in roots)
        if full.endswith(".ipynb"):
            return True  # looking for a notebook (the one with the hidden tests, a classmate's)
        if under([self.workdir]) or under(self.system):
            return False  # the course's virtual environment may live inside the course directory
        return under(self.denied) or not under(self.scratch)

    def audit(self, event, args):
        category = WATCHED_EVENTS.get(event)
        if category is None or self.busy:
            return
        self.busy = True  # sys._getframe below raises an audit event of its own
        try:
            frame = sys._getframe(1)
            depth, cell = 0, None
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

    # ------------------------------------------------------------ monkeypatching

    def remember(self):
        """Snapshot the modules and IPython's cell machinery. Runs in the kernel before any cell."""
        import importlib

        for name in PATCHABLE:
            module = importlib.import_module(name)
            self.originals[name] = (module, dict(vars(module)))
        shell = get_shell()
        if shell is None:
            return
        self.shell_state = {
            "input_transformers_cleanup": list(shell.input_transformers_cleanup),
            "input_transformers_post": list(shell.input_transformers_post),
            "ast_transformers": list(shell.ast_transformers),
            "shell_handlers": dict(shell.kernel.shell_handlers) if getattr(shell, "kernel", None) else {},
        }

    def check(self):
        """Report and undo every change student code made to what the tests rely on.

        Returns a list of findings (strings). Attributes that exist at the start are compared by
        identity (only the kernel's own input() hooks change legitimately); additions count only
        when they are defined in a cell, since imports add submodules and IPython adds helpers.
        """
        findings = []
        for name, (module, saved) in self.originals.items():
            if sys.modules.get(name) is not module:
                findings.append(f"sys.modules['{name}'] was replaced")
                sys.modules[name] = module
            current = vars(module)
            for attr, value in saved.items():
                if current.get(attr, _MISSING) is not value and (name, attr) not in KERNEL_MANAGED:
                    findings.append(f"{name}.{attr} was {'deleted' if attr not in current else 'replaced'}"
                                    + where_defined(current.get(attr)))
                    setattr(module, attr, value)
            for attr in set(current) - set(saved):
                if from_cell(current[attr]):
                    findings.append(f"{name}.{attr} was added" + where_defined(current[attr]))
                    delattr(module, attr)
        shell = get_shell()
        if shell is not None and self.shell_state is not None:
            findings += self.check_shell(shell)
        return findings

    def check_shell(self, shell):
        state, findings = self.shell_state, []
        for attr in ["input_transformers_cleanup", "input_transformers_post", "ast_transformers"]:
            if list(getattr(shell, attr)) != state[attr]:
                findings.append(f"IPython's {attr} were changed (they rewrite the code of later cells)")
                getattr(shell, attr)[:] = state[attr]
        for event, callbacks in shell.events.callbacks.items():
            for callback in [c for c in callbacks if from_cell(c)]:
                findings.append(f"an IPython '{event}' callback was registered" + where_defined(callback))
                callbacks.remove(callback)
        kernel = getattr(shell, "kernel", None)
        for owner, label in [(shell, "IPython's shell"), (kernel, "the kernel")]:
            for attr, value in list(vars(owner).items()) if owner is not None else []:
                if from_cell(value):
                    findings.append(f"{label}.{attr} was overridden" + where_defined(value))
                    delattr(owner, attr)
        if kernel is not None and dict(kernel.shell_handlers) != state["shell_handlers"]:
            findings.append("the kernel's message handlers were changed")
            kernel.shell_handlers.clear()
            kernel.shell_handlers.update(state["shell_handlers"])
        numpy = self.originals["numpy"][0]
        if "np" in shell.user_ns and shell.user_ns["np"] is not numpy:
            findings.append("the name np was bound to something other than numpy")
            shell.user_ns["np"] = numpy
        return findings


_MISSING = object()


def get_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def cell_number(filename):
    """The execution count of the cell compiled from ``filename`` (None if unknown)."""
    shell = get_shell()
    try:
        return shell.compile._filename_map.get(filename)
    except AttributeError:
        return None


def cell_code(value):
    """The code object behind a function, method, partial or callable object, if any."""
    for _ in range(4):
        if hasattr(value, "__code__"):
            return value.__code__
        value = getattr(value, "__func__", None) or getattr(value, "func", None) or \
            getattr(type(value).__dict__.get("__call__"), "__code__", None) and type(value).__call__
        if value is None:
            return None
    return None


def from_cell(value):
    """Whether ``value`` was defined by code in a notebook cell."""
    code = cell_code(value)
    if code is not None and CELL_FILE.search(code.co_filename):
        return True
    return isinstance(value, type) and value.__module__ == "__main__"


def where_defined(value):
    code = cell_code(value)
    if code is not None and CELL_FILE.search(code.co_filename):
        return f" (by code defined in cell [{cell_number(code.co_filename)}], line {code.co_firstlineno})"
    return ""


def set_limits(memory, processes, file_size):
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("convstep.guard: could not drop root privileges")


def stage(source, workdir):
    """Copy the assignment's data files (never its notebooks) into the working directory."""
    if source and os.path.isdir(source):
        os.makedirs(workdir, exist_ok=True)
        for name in os.listdir(source):
            item, target = os.path.join(source, name), os.path.join(workdir, name)
            (shutil.copytree if os.path.isdir(item) else shutil.copyfile)(item, target)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m convstep.guard")
    parser.add_argument("--uid", type=int, help="become this user (when started as root)")
    parser.add_argument("--memory", type=int, required=True, help="address-space limit, bytes")
    parser.add_argument("--processes", type=int, required=True,
                        help="process/thread limit of the sandbox user (counts all its processes)")
    parser.add_argument("--file-size", type=int, required=True, help="largest file it may write, bytes")
    parser.add_argument("--stage", help="directory whose files are copied into the working directory")
    parser.add_argument("--mpl-cache", help="directory with matplotlib's font list, copied to MPLCONFIGDIR")
    parser.add_argument("--log", required=True, help="audit log (opened before privileges are dropped)")
    parser.add_argument("--allow", action="append", default=[], help="read-only roots it may read")
    parser.add_argument("--deny", action="append", default=[], help="host folders it must not reach (the course)")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    log_fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    set_limits(args.memory, args.processes, args.file_size)
    if os.getuid() == 0 and args.uid is not None:
        drop_privileges(args.uid)
    workdir = os.getcwd()
    stage(args.stage, workdir)
    if args.mpl_cache and os.environ.get("MPLCONFIGDIR"):
        stage(args.mpl_cache, os.environ["MPLCONFIGDIR"])

    guard = Guard(log_fd, workdir, ["/dev/null", "/dev/urandom", "/proc/self", *args.allow], args.deny)
    sys.modules["_convstep_guard"] = guard
    sys.addaudithook(guard.audit)

    # The kernel's own stdout is not the notebook's (ipykernel captures that): keep its start-up
    # banner and anything written to file descriptor 1 out of the grader's terminal.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    if sys.path and sys.path[0] in ("", os.path.dirname(__file__)):
        del sys.path[0]  # as ipykernel_launcher does
    from ipykernel import kernelapp

    kernel_args = args.kernel_args[1:] if args.kernel_args[:1] == ["--"] else args.kernel_args
    # exec_lines run in the kernel once it is up, before the first cell: the moment to remember
    # what the tests rely on.
    kernelapp.launch_new_instance(argv=kernel_args, exec_lines=[
        "__import__('sys').modules['_convstep_guard'].remember()"])


if __name__ == "__main__":
    main()
