"""Benchmark of grading (not a pytest test): prints seconds per notebook, throughput and memory.

Run: .venv/bin/python tests/bench/bench_autograde.py [--assignment 02_conv_forward] [--students 8]

In one run, on the same class (``--students`` complete submissions of one assignment, in a temporary
copy of the course):
- the floor: a bare one-cell notebook graded by ``nbgrader autograde`` (start-up, kernel, database);
- the graded notebook executed by nbclient alone (no nbgrader, no sandbox, one kernel each);
- serial ``nbgrader autograde`` of the class: in the sandbox, with and without the next kernel
  started ahead (without, it uses one core, as stock nbgrader does), and without the sandbox;
  serial ``nbgrader generate_feedback``, which with autograde is the work ``convstep autograde`` does;
- ``convstep autograde --workers 1`` and ``--workers 2`` (a LocalCluster), and the Dask path with a
  scheduler and two ``dask worker`` processes started apart;
- ``--workers 1`` and ``--workers 2`` again with no kernel started ahead (``SandboxedExecute.prestart``
  off), where one worker uses one core: how the parallel path itself scales;
- for each run, the whole run and its steady rate: from the first notebook written to the last
  (without start-up and the final CSV, which a large class does not notice), and how busy the
  machine's cores were (from /proc/stat: what the cores allow beyond what is measured);
- the peak memory of a sandbox (its cgroup) and of a worker process;
- the scheduler's own cost per task, from 5,000 tasks that do nothing.
"""

import argparse
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import nbformat
from nbclient import NotebookClient

from convstep import samples
from convstep.course import Course
from convstep.grading.state import FILE_NAME as DONE
from convstep.grading.record import GradingRecord

BARE = "00_bare"


def busy_seconds():
    """CPU seconds all cores have been busy since boot (every process, not only ours)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


@dataclass
class Run:
    seconds: float   # the whole command
    busy: float      # cores busy on average during it (of os.cpu_count())
    steady: float    # notebooks/s from the first output file written to the last


def timed(command, outputs, **kwargs):
    """Run a command; ``outputs`` is a glob (from the course root) of the files it writes, one per notebook."""
    start, cpu = time.perf_counter(), busy_seconds()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    seconds = time.perf_counter() - start
    written = sorted(path.stat().st_mtime for path in Path(kwargs.get("cwd", ".")).glob(outputs))
    steady = (len(written) - 1) / (written[-1] - written[0]) if len(written) > 2 else float("nan")
    return Run(seconds, (busy_seconds() - cpu) / seconds, steady)


def nbgrader(course, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    outputs = "feedback/*/*/*.html" if args[0] == "generate_feedback" else f"autograded/*/{args[1]}/*.ipynb"
    return timed([sys.executable, "-m", "nbgrader", *args], outputs, cwd=course.root, env=env)


def convstep(course, *args):
    return timed([sys.executable, "-m", "convstep", *args, "--course", str(course.root)],
                 f"autograded/*/*/{DONE}", cwd=course.root)


def fresh(course):
    shutil.rmtree(course.autograded, ignore_errors=True)
    shutil.rmtree(course.feedback, ignore_errors=True)


def nbclient_alone(course, assignment, students):
    """Each submission executed start to end by nbclient in a plain kernel, with the cells that
    grading skips skipped too (NBGRADER_EXECUTION, which the kernel inherits)."""
    runs = []
    with mock.patch.dict(os.environ, NBGRADER_EXECUTION="autograde"):
        for student in students:
            nb = nbformat.read(course.notebook(course.submitted / student, assignment), as_version=4)
            start = time.perf_counter()
            NotebookClient(nb, timeout=60, kernel_name="python3",
                           resources={"metadata": {"path": str(course.source / assignment)}}).execute()
            runs.append(time.perf_counter() - start)
    return statistics.mean(runs)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vm_hwm(pid):
    """Peak resident memory of a process and its children, in MiB (from /proc)."""
    total = 0
    for task in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{task}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) // 1024)
        except OSError:
            pass
    return total


def children(pid):
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found += [int(path.parent.name), *children(int(path.parent.name))]
        except (OSError, IndexError, ValueError):
            pass
    return found


def dask_path(course, assignment):
    """The class through a scheduler and two worker processes started apart; seconds, worker MiB."""
    dask = str(Path(sys.executable).parent / "dask")
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 **quiet)
    workers = [subprocess.Popen([dask, "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1", "--no-dashboard"],
                                **quiet) for _ in range(2)]
    try:
        time.sleep(3)  # let the workers join
        run = convstep(course, "autograde", assignment, "--scheduler", f"tcp://127.0.0.1:{port}")
        memory = max(vm_hwm(w.pid) for w in workers)
    finally:
        for process in [scheduler, *workers]:
            process.kill()
    return run, memory


def scheduler_cost(tasks=5000):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        client.submit(int).result()
        start = time.perf_counter()
        client.gather(client.map(int, range(tasks), pure=False))
        return (time.perf_counter() - start) / tasks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="02_conv_forward")
    parser.add_argument("--students", type=int, default=8)
    args = parser.parse_args()
    n, assignment = args.students, args.assignment
    with tempfile.TemporaryDirectory() as tmp:
        course = Course().copy_to(tmp)
        bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1")])
        bare.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (course.source / BARE).mkdir()
        nbformat.write(bare, course.source / BARE / f"{BARE}.ipynb")
        course.build_release()
        students = samples.write_class(course, {f"s{i:03d}": samples.SAMPLE_STUDENTS["complete"] for i in range(n)})
        nbgrader(course, "autograde", BARE, "--force")  # warm-up: font cache, database
        floor = nbgrader(course, "autograde", BARE, "--force").seconds / n
        alone = nbclient_alone(course, assignment, students)
        serial = nbgrader(course, "autograde", assignment, "--force")
        serial_cold = nbgrader(course, "autograde", assignment, "--force", "--SandboxedExecute.prestart=False")
        feedback = nbgrader(course, "generate_feedback", assignment, "--force")
        records = [GradingRecord.load(course.autograded / s / assignment) for s in students]
        sandbox_peak = max(r.peak_memory for r in records) / 2**20
        fresh(course)
        unboxed = nbgrader(course, "autograde", assignment, "--force", "--SandboxedExecute.sandbox=False")
        runs = {}
        for workers in (1, 2):
            fresh(course)
            runs[workers] = convstep(course, "autograde", assignment, "--workers", str(workers))
        config = (course.root / "nbgrader_config.py").read_text()
        (course.root / "nbgrader_config.py").write_text(config + "\nc.SandboxedExecute.prestart = False\n")
        for workers in (1, 2):
            fresh(course)
            runs["cold", workers] = convstep(course, "autograde", assignment, "--workers", str(workers))
        (course.root / "nbgrader_config.py").write_text(config)
        fresh(course)
        dask, worker_memory = dask_path(course, assignment)
        per_task = scheduler_cost()

    # nbgrader's two serial steps, one after the other: the same work as one convstep autograde
    pipeline = 1 / (1 / serial.steady + 1 / feedback.steady)
    two = runs[2].steady
    print(f"\n{assignment}, {n} complete submissions, {os.cpu_count()} cores\n")
    rows = [("bare one-cell notebook, nbgrader autograde", f"{floor:.2f} s/notebook", ""),
            ("nbclient alone (no nbgrader, no sandbox)", f"{alone:.2f} s/notebook", ""),
            ("serial nbgrader autograde, sandbox", per_notebook(serial, n), cores(serial)),
            ("serial nbgrader autograde, no kernel started ahead", per_notebook(serial_cold, n), cores(serial_cold)),
            ("serial nbgrader autograde, no sandbox", per_notebook(unboxed, n), cores(unboxed)),
            ("serial nbgrader generate_feedback", per_notebook(feedback, n), cores(feedback)),
            ("serial autograde + generate_feedback", f"steady {1 / pipeline:.2f} s/notebook", ""),
            ("convstep autograde --workers 1", rate(runs[1], n), cores(runs[1])),
            ("convstep autograde --workers 2", rate(runs[2], n), cores(runs[2])),
            ("  steady, --workers 2 against", f"{two / runs[1].steady:.2f}x workers 1, {two * (1 / serial.steady):.2f}x "
                                              f"serial autograde, {two / pipeline:.2f}x serial autograde + feedback, "
                                              f"{two / serial_cold.steady:.2f}x serial autograde with no kernel started ahead", ""),
            ("no kernel started ahead: --workers 1", rate(runs["cold", 1], n), cores(runs["cold", 1])),
            ("no kernel started ahead: --workers 2", rate(runs["cold", 2], n), cores(runs["cold", 2])),
            ("  steady, --workers 2 against --workers 1", f"{runs['cold', 2].steady / runs['cold', 1].steady:.2f}x", ""),
            ("Dask: scheduler + 2 dask worker processes", rate(dask, n), cores(dask)),
            ("peak memory of one sandbox (cgroup)", f"{sandbox_peak:.0f} MiB", ""),
            ("peak memory of one Dask worker process", f"{worker_memory:.0f} MiB", ""),
            ("scheduler cost per task (5,000 no-op tasks)", f"{per_task * 1000:.2f} ms", "")]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, value, busy in rows:
        print(f"  {name:{width[0]}s}  {value:{width[1]}s}  {busy}".rstrip())


def per_notebook(run, n):
    return f"{run.seconds / n:.2f} s/notebook, steady {1 / run.steady:.2f}"


def rate(run, n):
    return f"{n / run.seconds:.2f} notebooks/s, steady {run.steady:.2f}"


def cores(run):
    return f"cores busy {run.busy:.2f} of {os.cpu_count()}"


if __name__ == "__main__":
    main()
