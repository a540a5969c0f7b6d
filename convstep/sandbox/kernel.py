"""The kernel manager that starts every autograded kernel in its own sandbox and cgroup."""

import functools
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel, HBChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, List, Unicode

from convstep import scratch
from convstep.checks import GRADER_MARK
from convstep.sandbox import bwrap
from convstep.sandbox.cgroup import Cgroup

MiB = 1024 * 1024
MAX_AUDIT_BYTES = 256 * 1024   # of the audit log the grader reads
MAX_AUDIT_RECORDS = 1000       # records kept of it (an empty line is a record too)
MAX_STDERR_BYTES = 64 * 1024   # of the kernel's stderr the grader keeps (for a start-up failure)
SEND_TIMEOUT_MS = 2000         # a send to the kernel that cannot leave by then means it is lost
BOX_PREFIX = "convstep-sandbox-"


class Heartbeat(HBChannel):
    """nbclient watches the kernel's process, not its heartbeat; on the capped sockets a ping the
    kernel no longer takes times out instead of blocking, and then the thread stops quietly
    (stock HBChannel would die with a traceback on the grader's terminal)."""

    async def _async_run(self):
        try:
            await super()._async_run()
        except zmq.Again:
            self._beating = False


class KernelHostile(BaseException):
    """The kernel sent what no kernel sends unless its code forges messages. A BaseException, so
    that no ``except Exception`` on the way (a test's, nbclient's) swallows it."""


class Shell(AsyncZMQSocketChannel):
    """The shell channel, which carries only replies to this client's own requests. A message that
    answers none of them is forged by the code in the kernel: a flood of them would keep a wait
    from ever timing out (a wait ends only on silence), so the first one stops the kernel's grading."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = set()

    def send(self, msg):
        self.sent.add(msg["header"]["msg_id"])
        super().send(msg)

    async def get_msg(self, timeout=None):
        msg = await super().get_msg(timeout)
        if msg.get("parent_header", {}).get("msg_id") not in self.sent:
            raise KernelHostile("the kernel sent a reply to a request nobody made")
        return msg


@functools.lru_cache(maxsize=1)
def font_cache():
    """matplotlib's font list on this machine (built now if missing), given to every sandboxed
    kernel so that none of them spends a second rebuilding it."""
    from matplotlib import font_manager, get_cachedir  # noqa: F401 -- importing builds the list

    return sorted(Path(get_cachedir()).glob("fontlist-*.json"))


class GradingKernelManager(AsyncKernelManager):
    """A kernel for grading without a sandbox (the explicit opt-out): what the grader asks of a
    sandboxed kernel manager, answered as having nothing to say."""

    peak_memory = None

    def seal(self):
        pass

    def audit_records(self):
        return []

    def freeze(self, frozen=True):
        pass

    @staticmethod
    def marked(env):
        """A grading kernel's environment: ``env`` (this process's by default) with the mark of a
        kernel convstep's grading started (convstep.checks refuses to test in any other)."""
        return {**(env or os.environ), GRADER_MARK: "1"}

    async def _async_pre_start_kernel(self, **kw):
        kw["env"] = self.marked(kw.get("env"))
        return await super()._async_pre_start_kernel(**kw)

    def kill_now(self):
        """Kill the kernel from any thread, whatever it is doing (the notebook's budget is spent)."""
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            process.kill()

    def client(self, **kwargs):
        return super().client(shell_channel_class=Shell, **kwargs)

    async def _async_shutdown_kernel(self, now=False, restart=False):
        """``now`` kills the kernel without the interrupt jupyter_client sends first: a grading kernel has
        nothing to finish, and one that no longer reads its control socket would make that send fail."""
        if not now:
            return await super()._async_shutdown_kernel(now=now, restart=restart)
        self.shutting_down = True
        self.stop_restarter()
        await self._async_kill_kernel(restart=restart)
        await self._async_cleanup_resources(restart=restart)

    shutdown_kernel = _async_shutdown_kernel


class SandboxKernelManager(GradingKernelManager):
    """Starts the kernel inside bubblewrap and a cgroup, talking to it over Unix sockets.

    Every byte that comes out is capped before the grader holds it: messages on the sockets
    (``max_message_bytes``, ``iopub_queue``), the kernel's stderr, the audit log.
    """

    memory = Integer(3 * 1024 * MiB, config=True, help="Memory of the whole sandbox (cgroup), in bytes.")
    processes = Integer(64, config=True, help="Most processes and threads the sandbox may run at once.")
    file_size = Integer(64 * MiB, config=True, help="Largest file the kernel may write, in bytes.")
    tmp_size = Integer(256 * MiB, config=True, help="Size of the working directory and of /tmp (each).")
    shm_size = Integer(64 * MiB, config=True, help="Size of /dev/shm.")
    max_message_bytes = Integer(8 * MiB, config=True,
                                help="Largest message the grader accepts from the kernel; a larger one drops the connection.")
    iopub_queue = Integer(64, config=True, help="Output messages queued for the grader before the kernel must wait.")
    preload = List(Unicode(), ["numpy"], config=True, help=(
        "Modules imported before the kernel starts (what the notebooks import first), so that a kernel "
        "started ahead has them ready."))
    lazy = List(Unicode(), ["matplotlib", "matplotlib.pyplot"], config=True, help=(
        "Modules the notebooks import but grading seldom uses (figures): loaded on first use, so that a "
        "kernel that draws nothing does not pay for them."))
    data_dir = Unicode("", help="Folder of the assignment's data files (set by the grader, never the submission).")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # ipc: the kernel has no network, so it cannot listen on TCP; Unix sockets cross namespaces.
        self.transport = "ipc"
        self._cap(self.context)
        box = scratch.folder(BOX_PREFIX)
        self.layout = bwrap.Layout(box, self.tmp_size, self.shm_size)
        os.chmod(self.layout.box, 0o755)
        for folder in (self.layout.run, self.layout.stage, self.layout.fonts):
            folder.mkdir()
        os.chmod(self.layout.run, 0o1777)  # the kernel (nobody) creates its sockets here
        self.ip = str(self.layout.run / "kernel")
        self.connection_file = str(self.layout.run / "kernel.json")
        self.cgroup = None
        self.peak_memory = None
        self.stderr_kept = b""

    def _cap(self, context):
        """Limits on every socket ``context`` makes: messages no larger than ``max_message_bytes``,
        at most ``iopub_queue`` waiting, and no send that blocks (a kernel that stops reading, or
        wrecks its own sockets, must not hang the grader)."""
        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        context.setsockopt(zmq.RCVHWM, self.iopub_queue)
        context.setsockopt(zmq.SNDTIMEO, SEND_TIMEOUT_MS)
        context.setsockopt(zmq.LINGER, 0)
        return context

    def client(self, **kwargs):
        """A client whose sockets have the caps above (its own context, destroyed with it)."""
        client = super().client(context=self._cap(zmq.asyncio.Context()), hb_channel_class=Heartbeat, **kwargs)
        client._created_context = True
        return client

    async def _async_pre_start_kernel(self, **kw):
        self._stage()
        assert self.kernel_spec is not None
        # Interrupt through the control channel: a signal to bubblewrap would not reach the kernel.
        self.kernel_spec.interrupt_mode = "message"
        env = self.marked(kw.get("env"))
        self.layout.env = {name: env[name] for name in ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING", GRADER_MARK)
                           if env.get(name)}
        self.cgroup = Cgroup(self.memory, self.processes)
        kw["stdout"], kw["stderr"] = subprocess.DEVNULL, subprocess.PIPE
        return await super()._async_pre_start_kernel(**kw)

    def _stage(self):
        """Copy the assignment's data files (never a notebook) for the sandbox's home folder."""
        if self.data_dir and os.path.isdir(self.data_dir):
            for item in Path(self.data_dir).iterdir():
                if item.suffix == ".ipynb" or item.name.startswith(".") or item.is_symlink():
                    continue
                (shutil.copytree if item.is_dir() else shutil.copy2)(item, self.layout.stage / item.name)
        for font_list in font_cache():
            shutil.copy2(font_list, self.layout.fonts)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if cmd[1:3] != ["-m", "ipykernel_launcher"]:
            raise RuntimeError(f"only the Python ipykernel can be sandboxed, not {cmd[:3]}")
        entry = [cmd[0], "-m", "convstep.sandbox.entry", "--memory", str(self.memory),
                 "--file-size", str(self.file_size), "--stage", str(self.layout.stage),
                 "--fonts", str(self.layout.fonts), "--log", str(self.layout.run / "audit.log")]
        for root in bwrap.python_roots():
            entry += ["--allow", root]
        for module in self.preload:
            entry += ["--preload", module]
        for module in self.lazy:
            entry += ["--lazy", module]
        if os.geteuid() == 0:
            os.chown(self.connection_file, bwrap.SANDBOX_UID, bwrap.SANDBOX_UID)
            entry += ["--uid", str(bwrap.SANDBOX_UID)]
        return self.cgroup.wrap(bwrap.command(self.layout, entry + ["--", *cmd[3:]]))

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        # A descriptor of the drain's own: jupyter_client closes the process's stderr once the
        # kernel is gone, which may be before the drain has read to the end.
        stream = os.fdopen(os.dup(self.provisioner.process.stderr.fileno()), "rb")
        threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _drain(self, stream):
        """Read the kernel's stderr to the end, keeping only its first bytes."""
        with stream:
            for chunk in iter(lambda: stream.read(65536), b""):
                if len(self.stderr_kept) < MAX_STDERR_BYTES:
                    self.stderr_kept += chunk[:MAX_STDERR_BYTES - len(self.stderr_kept)]

    def seal(self):
        """Once the kernel's sockets exist, the kernel may create nothing more in the shared folder."""
        os.chmod(self.layout.run, 0o1755)

    def freeze(self, frozen=True):
        """Stop every process of the sandbox (the grader is working on its own), or let them run."""
        if self.cgroup is not None:
            self.cgroup.freeze(frozen)

    def kill_now(self):
        if self.cgroup is not None:
            self.cgroup.kill()

    def audit_records(self):
        """The audit log's records (the first MAX_AUDIT_BYTES of it); a line that is not one of
        ours is itself a finding."""
        log = self.layout.run / "audit.log"
        if not log.exists():
            return []
        with open(log, "rb") as handle:
            text = handle.read(MAX_AUDIT_BYTES).decode(errors="replace")
        records = []
        for line in text.splitlines()[:MAX_AUDIT_RECORDS]:
            try:
                record = json.loads(line)
                assert isinstance(record, dict) and set(record) == {"event", "category", "detail", "cell", "line"}
            except (ValueError, AssertionError):
                record = {"event": "garbage in the audit log", "category": "tampering", "detail": line[:120],
                          "cell": None, "line": None}
            records.append(record)
        return records

    async def _async_wait(self, pollinterval=0.1):
        # A killed sandbox is gone within milliseconds; jupyter_client looks only every 0.1 s, which
        # was a tenth of a second of idle time for every notebook graded.
        await super()._async_wait(pollinterval=0.005)

    async def _async_kill_kernel(self, restart=False):
        self.freeze(False)  # a frozen process would die only once thawed
        await super()._async_kill_kernel(restart=restart)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if self.cgroup is not None:
            self.peak_memory = self.cgroup.peak_memory()
            self.cgroup.remove()
            self.cgroup = None
        if not restart:
            shutil.rmtree(self.layout.box, ignore_errors=True)
