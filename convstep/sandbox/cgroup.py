"""Memory and process limits that count everything a sandbox uses: one cgroup per kernel.

RLIMIT_AS counts address space only: pages of a memfd, of a tmpfs file or of System V shared
memory are outside it. A cgroup counts every page the kernel's processes make the machine hold,
so its limit holds whatever the code does; the pids controller caps the processes of this sandbox
alone (RLIMIT_NPROC counts every process of the user); the freezer stops every process of the
sandbox at once while the grader works on its own, so that nothing the student's code runs in the
background competes with it (the speed tests time their references then). Both cgroup versions are
supported: v1 (separate ``memory``, ``pids`` and ``freezer`` hierarchies, as on this project's CI
machines) and v2 (one unified hierarchy, where freezing is built in), as root or inside a delegated
subtree.
"""

import os
import signal
import time
import uuid
from pathlib import Path

CONTROLLERS = ("memory", "pids")
V1_HIERARCHIES = CONTROLLERS + ("freezer",)  # v2 freezes without a controller
GROUP = "convstep"
LEAF = "grader"  # in a delegated subtree, where the grader's own processes go (see Cgroup._prepare_v2)
STALE_SECONDS = 600  # an empty sandbox cgroup this old was left by a grader that was killed
FREEZE_WAIT = 1.0    # seconds a freeze may take (a process in the middle of a system call finishes it)
REMOVE_WAIT = 10.0   # seconds killed processes may take to be gone


def _mounts():
    """{controller: mount point} of the cgroup hierarchies, and "unified" for a v2 mount."""
    found = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        kind = fields[fields.index("-") + 1]
        if kind == "cgroup2":
            found.setdefault("unified", fields[4])
        elif kind == "cgroup":
            for option in fields[-1].split(","):
                if option in V1_HIERARCHIES:
                    found[option] = fields[4]
    return found


def _own_v2_path():
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return "/"


def _own_v1_paths():
    """{controller: this process's cgroup in that v1 hierarchy}."""
    found = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            found[controller] = path
    return found


def _writable(path):
    return os.access(path, os.W_OK)


def layout():
    """("v1", {controller: parent dir}) or ("v2", parent dir) where sandboxes can be created,
    or (None, reason)."""
    mounts = _mounts()
    if all(c in mounts for c in CONTROLLERS):
        if "freezer" not in mounts:
            return None, "the freezer cgroup (v1) is not mounted: mount it, or use cgroup v2"
        parents = {c: Path(mounts[c]) / GROUP for c in V1_HIERARCHIES}
        if all(_writable(mounts[c]) or _writable(parents[c]) for c in V1_HIERARCHIES):
            return "v1", parents
        # A subtree delegated to this user by root (chown of the folder, cgroup.procs and tasks),
        # with this process inside: as the hub's grading service runs an instructor's grading.
        own = {c: Path(mounts[c]) / path.lstrip("/") for c, path in _own_v1_paths().items() if c in V1_HIERARCHIES}
        if len(own) == len(V1_HIERARCHIES) and all(own[c] != Path(mounts[c]) and _writable(own[c])
                                                   for c in V1_HIERARCHIES):
            return "v1", own
        return None, ("the memory, pids and freezer cgroups (v1) are not writable: grade as root, "
                      "or in a subtree root delegated to you")
    unified = mounts.get("unified")
    if unified:
        available = (Path(unified) / "cgroup.controllers").read_text().split()
        if all(c in available for c in CONTROLLERS):
            root = Path(unified)
            if _writable(root / "cgroup.subtree_control"):
                return "v2", root / GROUP
            own = root / _own_v2_path().lstrip("/")
            if own.name == LEAF and _writable(own.parent):
                own = own.parent  # this grader moved its processes there for its first sandbox
            if _writable(own) and _writable(own / "cgroup.subtree_control"):
                missing = [c for c in CONTROLLERS if c not in (own / "cgroup.controllers").read_text().split()]
                if missing:
                    return None, (f"the delegated cgroup {own} lacks the {' and '.join(missing)} controller: "
                                  "delegate it to users (systemd: Delegate=memory pids in a drop-in for user@.service)")
                return "v2", own  # a delegated subtree (systemd-run --user -p Delegate=yes ...)
            return None, ("the cgroup v2 hierarchy is not writable: grade as root, or in a delegated "
                          "scope: systemd-run --user --scope -p Delegate=yes <grading command>")
    return None, "no cgroup hierarchy with the memory and pids controllers is mounted"


def problem():
    """None when sandboxes can get their own cgroup here, else why not."""
    try:
        version, detail = layout()
    except OSError as error:
        return f"cannot read the cgroup mounts ({error})"
    return None if version else detail


def sweep(parents):
    """Remove the empty sandbox cgroups that killed graders left behind (rmdir refuses a busy one)."""
    for parent in parents:
        for folder in Path(parent).glob("sandbox-*") if Path(parent).is_dir() else []:
            try:
                if time.time() - folder.stat().st_mtime > STALE_SECONDS:
                    folder.rmdir()
            except OSError:
                pass


def _write(path, value):
    Path(path).write_text(str(value))


def _enable(folder):
    """Turn the controllers on for the children of the v2 cgroup ``folder``."""
    enabled = (folder / "cgroup.subtree_control").read_text().split()
    for controller in CONTROLLERS:
        if controller not in enabled:
            _write(folder / "cgroup.subtree_control", f"+{controller}")


class Cgroup:
    """The cgroup of one sandbox: created with its limits, entered by the sandbox's first process
    (``wrap``), emptied and removed at the end."""

    def __init__(self, memory, processes):
        self.version, parents = layout()
        if self.version is None:
            raise OSError(parents)
        name = f"sandbox-{uuid.uuid4().hex[:12]}"
        sweep(parents.values() if self.version == "v1" else [parents])
        if self.version == "v1":
            self.dirs = {c: parents[c] / name for c in V1_HIERARCHIES}
            for controller, folder in self.dirs.items():
                folder.mkdir(parents=True, exist_ok=True)
            memory_dir = self.dirs["memory"]
            _write(memory_dir / "memory.limit_in_bytes", memory)
            if (memory_dir / "memory.memsw.limit_in_bytes").exists():
                _write(memory_dir / "memory.memsw.limit_in_bytes", memory)  # no escape into swap
            _write(self.dirs["pids"] / "pids.max", processes)
        else:
            self._prepare_v2(parents)
            folder = parents / name
            folder.mkdir()
            self.dirs = {c: folder for c in (*CONTROLLERS, "freezer")}
            _write(folder / "memory.max", memory)
            if (folder / "memory.swap.max").exists():
                _write(folder / "memory.swap.max", 0)
            _write(folder / "pids.max", processes)

    @staticmethod
    def _prepare_v2(parent):
        """Enable the controllers for the children of ``parent``, and first for ``parent`` itself
        where that is ours to do (as root: without systemd, the hierarchy's root enables none). A
        cgroup v2 with processes of its own cannot have children with controllers, so in a
        delegated subtree the grader first moves its processes into a leaf: all of them (a scope
        holds only the command it started: its Dask workers, say, or its shell)."""
        if _writable(parent.parent / "cgroup.subtree_control"):
            _enable(parent.parent)
        parent.mkdir(exist_ok=True)
        while processes := (parent / "cgroup.procs").read_text().split():
            (parent / LEAF).mkdir(exist_ok=True)
            for pid in processes:
                try:
                    _write(parent / LEAF / "cgroup.procs", pid)
                except ProcessLookupError:
                    pass  # it has ended
        _enable(parent)

    def wrap(self, command):
        """``command`` run inside this cgroup: a shell enters it, then becomes the command, so
        that the sandbox's first process and all it starts are counted from the start."""
        files = [str(folder / "cgroup.procs") for folder in sorted(set(self.dirs.values()))]
        enter = "set -e; for f in $FILES; do echo $$ > \"$f\"; done; exec \"$@\""
        return ["/bin/sh", "-c", enter.replace("$FILES", " ".join(f"'{f}'" for f in files)), "sh", *command]

    def freeze(self, frozen=True):
        """Stop (or let run again) every process of the sandbox; returns once they are stopped, or
        after FREEZE_WAIT seconds (the rest stop as soon as they can)."""
        folder = self.dirs["freezer"]
        give_up = time.monotonic() + FREEZE_WAIT
        try:
            if self.version == "v1":
                wanted = "FROZEN" if frozen else "THAWED"
                # v1 may stay FREEZING while a process finishes a system call: ask again until it is done
                while True:
                    _write(folder / "freezer.state", wanted)
                    if (folder / "freezer.state").read_text().strip() == wanted or time.monotonic() > give_up:
                        return
                    time.sleep(0.0005)
            _write(folder / "cgroup.freeze", int(frozen))
            while f"frozen {int(frozen)}" not in (folder / "cgroup.events").read_text() and time.monotonic() < give_up:
                time.sleep(0.0005)
        except OSError:
            pass  # the cgroup is gone: so is the sandbox

    def peak_memory(self):
        """The most memory the sandbox held at once, in bytes (None if the kernel cannot tell)."""
        name = "memory.max_usage_in_bytes" if self.version == "v1" else "memory.peak"
        try:
            return int((self.dirs["memory"] / name).read_text())
        except (OSError, ValueError):
            return None

    def processes(self):
        pids = set()
        for folder in set(self.dirs.values()):
            try:
                pids.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return pids

    def kill(self):
        """Kill every process of the sandbox now (a frozen process dies only once thawed)."""
        self.freeze(False)
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def remove(self):
        """Kill whatever is left in the cgroup, then delete it. rmdir says busy until every killed
        process is gone: one leaves cgroup.procs as soon as it starts to exit, before it has freed
        its memory (which takes a while on a slow machine)."""
        give_up = time.monotonic() + REMOVE_WAIT
        while True:
            self.kill()
            for folder in set(self.dirs.values()):
                try:
                    folder.rmdir()
                except OSError:
                    pass
            if not any(folder.exists() for folder in self.dirs.values()):
                return
            if time.monotonic() > give_up:
                return  # still busy: the sweep of a later sandbox removes it once it is empty and stale
            time.sleep(0.02)
