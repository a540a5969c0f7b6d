"""The sandbox's own pieces, with real processes: the cgroup counts every page and process and
freezes them all, and bubblewrap shows the kernel only what it may see."""

import subprocess
import sys
import time
from pathlib import Path

from convstep.sandbox import bwrap
from convstep.sandbox.cgroup import Cgroup

MiB = 1024 * 1024


def run_in(cgroup, code):
    return subprocess.run(cgroup.wrap([sys.executable, "-c", code]), capture_output=True, text=True, timeout=120)


def test_the_cgroup_counts_memory_outside_the_address_space():
    cgroup = Cgroup(256 * MiB, 32)
    try:
        # memfd pages are in no address space: RLIMIT_AS would not see them
        result = run_in(cgroup, "import os\nfds = []\nfor _ in range(32):\n"
                                "    fds.append(os.memfd_create('x')); os.posix_fallocate(fds[-1], 0, 32 * 2**20)\n"
                                "print('held', len(fds))")
        assert "held 32" not in result.stdout  # 1 GiB was asked for: refused or killed
        assert cgroup.peak_memory() <= 256 * MiB * 1.02
    finally:
        cgroup.remove()
    assert not any(folder.exists() for folder in cgroup.dirs.values())


def test_the_cgroup_caps_processes_and_kills_what_is_left():
    cgroup = Cgroup(256 * MiB, 16)
    try:
        result = run_in(cgroup, "import subprocess\nps = []\ntry:\n    while True:\n"
                                "        ps.append(subprocess.Popen(['sleep', '600'], start_new_session=True,\n"
                                "                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))\n"
                                "except OSError as e:\n    print('stopped after', len(ps))")
        assert "stopped after" in result.stdout and int(result.stdout.split()[-1]) < 16
        assert cgroup.processes()  # the sleepers are still there ...
    finally:
        cgroup.remove()
    assert not cgroup.processes()  # ... until the cgroup is removed


def cpu_ticks(pids):
    """CPU time (user and system) the processes ``pids`` have had so far, in clock ticks."""
    fields = [Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for pid in pids]
    return sum(int(f[11]) + int(f[12]) for f in fields)


def eventually(condition, what, guard=120):
    """Wait until ``condition()`` holds; ``guard`` seconds only stop a hang."""
    give_up = time.monotonic() + guard
    while not condition():
        assert time.monotonic() < give_up, f"{what}: not after {guard} s"
        time.sleep(0.1)


def test_the_cgroup_freezer_stops_every_process_until_thawed():
    cgroup = Cgroup(256 * MiB, 16)
    busy = subprocess.Popen(cgroup.wrap(["/bin/sh", "-c", "while :; do :; done & while :; do :; done"]))
    try:
        eventually(lambda: len(cgroup.processes()) == 2, "two busy loops")
        pids = cgroup.processes()
        start = cpu_ticks(pids)
        eventually(lambda: cpu_ticks(pids) > start, "the loops run")
        cgroup.freeze()
        time.sleep(0.5)
        frozen = cpu_ticks(pids)
        time.sleep(1)
        assert cpu_ticks(pids) == frozen  # two busy loops, no CPU time
        cgroup.freeze(False)
        eventually(lambda: cpu_ticks(pids) > frozen, "the loops run again")
        cgroup.freeze()  # and are removed frozen: removing thaws them to be killed
    finally:
        cgroup.remove()
        busy.wait(timeout=120)
    assert not cgroup.processes() and not any(folder.exists() for folder in cgroup.dirs.values())


def test_bubblewrap_shows_no_course_no_network_and_capped_folders(tmp_path):
    box = tmp_path / "box"
    for folder in ("run", "stage", "mpl"):
        (box / folder).mkdir(parents=True)
    secret = Path(__file__).resolve().parents[2] / "source"
    layout = bwrap.Layout(box, tmp_size=16 * MiB, shm_size=8 * MiB)
    probe = f"""
import os, socket
print('course', os.path.exists({str(secret)!r}))
try:
    socket.create_connection(('127.0.0.1', 22), timeout=1); print('network yes')
except OSError:
    print('network no')
for folder in ['/tmp', '/dev/shm', os.environ['HOME']]:
    try:
        with open(os.path.join(folder, 'fill'), 'wb') as f:
            f.write(bytes(32 * 2**20))
        print(folder, 'filled')
    except OSError:
        print(folder, 'full')
try:
    open('/usr/pwned', 'w')
except OSError:
    print('usr read-only')
print('pid', os.getpid())
"""
    result = subprocess.run(bwrap.command(layout, [sys.executable, "-c", probe]), capture_output=True, text=True)
    lines = result.stdout.splitlines()
    assert "course False" in lines and "network no" in lines and "usr read-only" in lines, result.stderr
    assert [line for line in lines if line.endswith("full")] == ["/tmp full", "/dev/shm full", f"{bwrap.HOME} full"]
    assert int(lines[-1].split()[1]) < 10  # its own PID namespace


def test_a_graded_kernel_loads_matplotlib_only_when_a_cell_draws():
    """Every notebook's setup cell imports pyplot, but only figure cells, which grading skips, use
    matplotlib: in the sandboxed kernel matplotlib and pyplot are stand-ins until first used, then
    the real modules."""
    import nbformat
    from nbclient import NotebookClient

    from convstep.sandbox.kernel import SandboxKernelManager

    cells = ["import sys\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
             "print(type(sys.modules['matplotlib']).__name__, type(plt).__name__)",
             "import matplotlib as mpl\nfrom matplotlib import pyplot\nmpl.rcParams['image.cmap'] = 'gray'\n"
             "print('rcParams' in vars(mpl), 'subplots' in vars(plt), pyplot is plt)",
             "fig, ax = plt.subplots()\nax.imshow([[0, 1], [1, 0]])\nplt.show()",
             "print('subplots' in vars(plt), plt.subplots is sys.modules['matplotlib.pyplot'].subplots, "
             "mpl.rcParams['image.cmap'])"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, km=SandboxKernelManager(kernel_name="python3"), timeout=60).execute()
    # A cell's printed text: the kernel's output stream may flush in the middle of a print.
    printed = lambda cell: "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream")
    setup, style, drawn, after = nb.cells
    assert printed(setup) == "LazyModule LazyModule\n"
    assert printed(style) == "True False True\n"  # matplotlib is loaded, pyplot not yet
    drawn = drawn.outputs
    assert [output["output_type"] for output in drawn] == ["display_data"] and "image/png" in drawn[0]["data"]
    assert printed(after) == "True True gray\n"
