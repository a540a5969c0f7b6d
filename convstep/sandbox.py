"""Safe grading: every notebook's kernel runs in a bubblewrap sandbox.

``nbgrader_config.py`` replaces nbgrader's ``Execute`` preprocessor with ``SandboxedExecute``, so a
plain ``nbgrader autograde`` starts each kernel through ``SandboxKernelManager``:

- no network (own network namespace), no other processes visible (own PID namespace);
- a read-only system: /usr, the Python installation, the virtual environment and this package; no
  course files at all — not source/, release/, the gradebook, other students' folders, nor the
  notebook with the hidden tests restored (the working directory is a private, size-limited tmpfs
  holding only the assignment's data files);
- memory, process-count and file-size limits, as the unprivileged user ``nobody`` when grading as
  root;
- everything it started is killed when the notebook ends (the PID namespace dies with the kernel).

``SandboxedExecute`` also survives what stock nbgrader does not: a kernel that dies (``os._exit``, a
crash) or ignores the timeout's interrupt is restarted, the cells that had run are replayed, and
grading goes on; output is capped while it arrives; after every cell the guard inside the kernel
(``convstep.guard``) reports and undoes monkeypatching. Findings go to ``integrity.json`` next to
the autograded notebook, for ``convstep.integrity`` to report.

If the sandbox cannot be set up, grading refuses, naming the fix; ``--SandboxedExecute.sandbox=False``
is the explicit opt-out.
"""

import ast
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import DeduplicateIds, Execute
from traitlets import Bool, Integer

SANDBOX_UID = 65534  # nobody
PACKAGE_DIR = Path(__file__).resolve().parent
SIDE_FILE = "integrity.json"
MiB = 1024 * 1024


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here; the message says how to fix it."""


class KernelStuck(RuntimeError):
    """The kernel did not answer after the timeout's interrupt."""


FIX = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) on a Linux machine that allows "
       "namespaces; or, knowingly, grade without a sandbox: nbgrader autograde ... --SandboxedExecute.sandbox=False "
       "(python3 -m convstep demo --no-sandbox)")


@functools.lru_cache(maxsize=1)
def sandbox_problem():
    """None if a trial sandbox runs on this machine, else what is wrong and how to fix it."""
    bwrap = shutil.which("bwrap")
    if sys.platform != "linux":
        return f"grading in a sandbox needs Linux (this is {sys.platform}); {FIX}"
    if bwrap is None:
        return f"bubblewrap (bwrap) is not installed; {FIX}"
    trial = subprocess.run([bwrap, *namespace_args(), "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True)
    if trial.returncode != 0:
        return f"bubblewrap cannot create a sandbox here ({trial.stderr.strip()}); {FIX}"
    return None


def require_sandbox():
    problem = sandbox_problem()
    if problem:
        raise SandboxUnavailable("refusing to grade without a sandbox: " + problem)


def namespace_args():
    args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--clearenv"]
    if os.geteuid() == 0:
        # As root: no user namespace, so the guard can become `nobody` (for the process cap).
        return args + ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args + ["--unshare-user"]


def _dirs(path, made):
    """bwrap arguments creating the ancestors of ``path`` (world-readable, for the sandbox user)."""
    args = []
    for parent in reversed(Path(path).parents):
        if str(parent) != "/" and str(parent) not in made:
            made.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_command(workdir, box, kernel_cmd, env, memory, processes, file_size, tmp_size):
    """The full command that runs ``kernel_cmd`` (an ipykernel command) inside the sandbox."""
    made = set()
    args = [shutil.which("bwrap"), *namespace_args(), "--ro-bind", "/usr", "/usr"]
    for top in ["/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32"]:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ["/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types"]:
        args += ["--ro-bind-try", name, name]
    # /tmp first: the mounts below may lie under it (a course cloned into /tmp, say).
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]
    made.add("/tmp")
    # Read-only Python: the installation, the virtual environment, and this package (installed
    # editable from the course repository, whose other files stay out of reach).
    python_roots = sorted({os.path.realpath(p) for p in [sys.base_prefix, sys.prefix, PACKAGE_DIR]})
    for root in python_roots:
        args += _dirs(root, made) + ["--ro-bind", root, root]
    args += _dirs(workdir, made) + ["--perms", "1777", "--size", str(tmp_size), "--tmpfs", str(workdir)]
    args += _dirs(box / "run", made) + ["--bind", str(box / "run"), str(box / "run"),
                                "--ro-bind", str(box / "stage"), str(box / "stage"),
                                "--ro-bind", str(box / "mpl"), str(box / "mpl")]
    venv_bin = os.path.join(sys.prefix, "bin")
    variables = {"HOME": str(workdir), "PATH": f"{venv_bin}:/usr/bin:/bin", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
                 "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython", "PYTHONDONTWRITEBYTECODE": "1",
                 "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for name in ["NBGRADER_EXECUTION", "NBGRADER_VALIDATING"]:
        if env.get(name):
            variables[name] = env[name]
    for name, value in variables.items():
        args += ["--setenv", name, value]
    args += ["--chdir", str(workdir), "--"]

    if kernel_cmd[1:3] != ["-m", "ipykernel_launcher"]:
        raise SandboxUnavailable(f"only the Python ipykernel can be sandboxed, not {kernel_cmd[:3]}")
    guard = [kernel_cmd[0], "-m", "convstep.guard", "--memory", str(memory), "--processes", str(processes),
             "--file-size", str(file_size), "--stage", str(box / "stage"), "--log", str(box / "run" / "audit.log"),
             "--mpl-cache", str(box / "mpl")]
    for root in python_roots:
        guard += ["--allow", root]
    # nbgrader runs the kernel in <course>/autograded/<student>/<assignment>: the course is off limits.
    course = workdir.parents[2] if workdir.parents[1].name == "autograded" else workdir.parent
    guard += ["--deny", str(course), "--deny", str(box)]
    if os.geteuid() == 0:
        guard += ["--uid", str(SANDBOX_UID)]
    return args + guard + ["--"] + kernel_cmd[3:]


@functools.lru_cache(maxsize=1)
def font_cache():
    """matplotlib's font list on this machine (built now if missing), given to every sandboxed
    kernel so that none of them spends a second rebuilding it."""
    from matplotlib import font_manager, get_cachedir  # noqa: F401 -- importing builds the list

    return sorted(Path(get_cachedir()).glob("fontlist-*.json"))


def count_user_processes(uid):
    """Processes and threads of ``uid`` now: RLIMIT_NPROC counts them all, not only the sandbox's."""
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return count


class SandboxKernelManager(AsyncKernelManager):
    """Starts the kernel inside bubblewrap, talking to it over Unix sockets in a private folder."""

    memory = Integer(3 * 1024 * MiB, config=True, help="Address-space limit of the kernel, in bytes.")
    processes = Integer(64, config=True, help="Most processes and threads the kernel may run at once.")
    file_size = Integer(64 * MiB, config=True, help="Largest file the kernel may write, in bytes.")
    tmp_size = Integer(256 * MiB, config=True, help="Size of the private working directory and of /tmp.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # ipc: the kernel has no network, so it cannot listen on TCP; Unix sockets cross namespaces.
        self.transport = "ipc"
        self.box = Path(tempfile.mkdtemp(prefix="convstep-sandbox-"))
        os.chmod(self.box, 0o755)
        (self.box / "run").mkdir()
        os.chmod(self.box / "run", 0o1777)  # the kernel (nobody) creates its sockets here
        (self.box / "stage").mkdir()
        (self.box / "mpl").mkdir()
        self.ip = str(self.box / "run" / "kernel")
        self.connection_file = str(self.box / "run" / "kernel.json")
        self.workdir = None

    async def _async_pre_start_kernel(self, **kw):
        self.workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        self._stage()
        assert self.kernel_spec is not None
        # Interrupt through the control channel: a signal to bubblewrap would not reach the kernel.
        self.kernel_spec.interrupt_mode = "message"
        self._env = dict(kw.get("env") or os.environ)
        return await super()._async_pre_start_kernel(**kw)

    def _stage(self):
        """Copy the assignment's data files (never notebooks) for the sandbox's working directory."""
        for item in self.workdir.iterdir():
            if item.suffix == ".ipynb" or item.name.startswith(".") or item.name in (SIDE_FILE, "__pycache__"):
                continue
            target = self.box / "stage" / item.name
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, target)
        for font_list in font_cache():
            shutil.copy2(font_list, self.box / "mpl")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if os.geteuid() == 0:
            os.chown(self.connection_file, SANDBOX_UID, SANDBOX_UID)
            processes = self.processes + count_user_processes(SANDBOX_UID)
        else:
            processes = self.processes + count_user_processes(os.geteuid())
        return bwrap_command(self.workdir, self.box, cmd, self._env, self.memory, processes,
                             self.file_size, self.tmp_size)

    def seal(self):
        """Once the kernel's sockets exist, the kernel may create nothing more in the shared folder."""
        os.chmod(self.box / "run", 0o1755)

    def audit_records(self):
        log = self.box / "run" / "audit.log"
        records = []
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    records.append({"event": "garbage in the audit log", "category": "tampering",
                                    "detail": line[:120], "cell": None, "line": None})
        return records

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.box, ignore_errors=True)


class DeduplicateCells(DeduplicateIds):
    """nbgrader's DeduplicateIds, fixed: it empties a duplicate's nbgrader metadata, and with
    ``add_missing_cells`` OverwriteCells then fails on the empty dict (KeyError 'grade_id'), so a
    student who duplicated a test cell could not be graded at all. Drop the metadata instead: the
    copy runs as ordinary code and only the original is graded."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute, run in the sandbox and hardened against hostile notebooks."""

    sandbox = Bool(True, config=True, help=(
        "Run every kernel in the bubblewrap sandbox. False grades student code with your own rights: "
        "it can read the solutions and the gradebook, use the network, and damage your files."))
    max_output_bytes = Integer(1 * MiB, config=True, help="Output kept per cell; the rest is dropped as it arrives.")
    max_restarts = Integer(3, config=True, help="Kernel restarts per notebook after a crash or a stuck kernel.")
    responsive_timeout = Integer(10, config=True, help="Seconds a kernel has to answer after an interrupt.")

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            require_sandbox()
        else:
            self.log.warning("GRADING WITHOUT A SANDBOX: student code runs with your rights")
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        if self.sandbox and km is None:
            self.kernel_manager_class = SandboxKernelManager
        self.integrity = {"runtime": [], "notes": []}
        self._output_bytes = {}
        self._counts = {}  # execution count -> cell index, to place audit records

        start, replay, restarts = 0, [], 0
        while start < len(self.nb.cells):
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                if isinstance(self.km, SandboxKernelManager):
                    self.km.seal()
                for index in replay:
                    self._run_quietly(self.nb.cells[index].source)
                index = start
                try:
                    for index in range(start, len(self.nb.cells)):
                        cell = self.nb.cells[index]
                        self.preprocess_cell(cell, resources, index)
                        if cell.cell_type == "code" and cell.source.strip():
                            if cell.get("execution_count"):
                                self._counts[cell.execution_count] = index
                            self._probe(index)
                            if not any(o.output_type == "error" for o in cell.outputs):
                                replay.append(index)
                    start = len(self.nb.cells)
                except (DeadKernelError, KernelStuck, CellTimeoutError) as death:
                    restarts += 1
                    self._report_death(index, death, restarts)
                    self.shutdown_kernel = "immediate"
                    start = index + 1 if restarts <= self.max_restarts else len(self.nb.cells)
                    if restarts > self.max_restarts:
                        self._skip_rest(index + 1)
                finally:
                    self._collect_audit()
        self.set_widgets_metadata()
        self._write_side_file()
        return self.nb, self.resources

    # ------------------------------------------------------------ output cap

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"\n[grader: output beyond {self.max_output_bytes // 1024} kB dropped]\n")))
                self.integrity["notes"].append({"cell": cell_index, "note": "output flood truncated"})
            return None
        return super().output(outs, msg, display_id, cell_index)

    # ------------------------------------------------------------ a kernel that dies or hangs

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)
        # The interrupt was sent; a kernel that ignores it (SIGINT handler, C loop) is restarted.
        msg_id = await _maybe_await(self.kc.kernel_info())
        saved, self.timeout = self.timeout, self.responsive_timeout
        try:
            answered = await self.async_wait_for_reply(msg_id) is not None
        finally:
            self.timeout = saved
        if not answered:
            raise KernelStuck(f"the kernel did not answer within {self.responsive_timeout} s of the interrupt")
        return reply

    def _report_death(self, index, death, restarts):
        cell = self.nb.cells[index]
        what = ("the kernel died (os._exit, a crash, or a limit of the sandbox)" if isinstance(death, DeadKernelError)
                else "the kernel stopped answering after the time limit")
        then = ("the following cells run in a new kernel, after the cells that had succeeded are run again"
                if restarts <= self.max_restarts else "grading of this notebook stops here")
        cell.outputs.append(NotebookNode(output_type="error", ename="KernelDied", evalue=what,
                                         traceback=[f"KernelDied: while running this cell, {what}; {then}."]))
        self.integrity["notes"].append({"cell": index, "note": what})

    def _skip_rest(self, first):
        for cell in self.nb.cells[first:]:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [NotebookNode(output_type="error", ename="NotRun", evalue="",
                                             traceback=["NotRun: the kernel died too often; this cell was not run."])]

    def _run_quietly(self, code):
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        self.wait_for_reply(msg_id)

    # ------------------------------------------------------------ integrity

    def _probe(self, index):
        """Ask the guard what the cell changed (and have it undone); a graded cell that changed
        the testing machinery while it ran does not count."""
        if not isinstance(self.km, SandboxKernelManager):
            return
        expression = "__import__('sys').modules['_convstep_guard'].check()"
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"guard": expression})
        reply = self.wait_for_reply(msg_id)
        result = (reply or {}).get("content", {}).get("user_expressions", {}).get("guard", {})
        try:
            findings = ast.literal_eval(result["data"]["text/plain"])
            assert isinstance(findings, list)
        except Exception:
            findings = ["the integrity check could not run (its answer was tampered with or missing)"]
        cell = self.nb.cells[index]
        for finding in findings:
            self.integrity["runtime"].append({"cell": index, "category": "patching", "detail": str(finding)})
        if findings and cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs.append(NotebookNode(output_type="error", ename="IntegrityError", evalue=findings[0], traceback=[
                "IntegrityError: while this test ran, the code under test changed the testing machinery "
                f"({'; '.join(map(str, findings))}); the test does not count."]))

    def _collect_audit(self):
        if isinstance(self.km, SandboxKernelManager):
            for record in self.km.audit_records():
                record["cell"] = self._counts.get(record.get("cell"))
                self.integrity["runtime"].append(record)

    def _write_side_file(self):
        path = self.resources.get("metadata", {}).get("path")
        if path and os.path.isdir(path):
            Path(path, SIDE_FILE).write_text(json.dumps(self.integrity, indent=1))


async def _maybe_await(value):
    if hasattr(value, "__await__"):
        return await value
    return value
