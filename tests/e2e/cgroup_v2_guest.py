"""Runs inside the guest of test_cgroup_v2.py, as root, where /sys/fs/cgroup is a pure cgroup v2
hierarchy as the kernel booted it (no systemd, no controller enabled anywhere).

Each grader runs the project's real code on the v2 path:
- root: the cgroup tests of test_sandbox.py (memory, processes, freezer), then plain
  ``nbgrader autograde`` of a copy of the course in SHARE/course;
- at the same time, a user in subtrees delegated as systemd's ``Delegate=yes`` delegates them, a
  new scope for each command as ``systemd-run --user --scope`` makes: the same, the grader started
  from a shell that stays in its scope (as in ``systemd-run --user --scope -p Delegate=yes bash``;
  Dask's workers would be such other processes too);
- then a user in a cgroup of root's, and one in a delegated subtree without the memory controller:
  grading must refuse, saying why.
Writes SHARE/report.json ({step: {"returncode", "output" (its end), "seconds"} or what it found}), each
step's whole output in SHARE/logs/, and a copy of each graded course in SHARE/<grader>-course for the
test to read the scores from. SHARE/mpl holds the host's matplotlib font list (building one here
takes a minute of emulation).
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

SHARE = Path(sys.argv[1])
PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CGROUP = Path("/sys/fs/cgroup")
USER = 1000
ASSIGNMENT = "01_zero_padding"
HANG_GUARD = 1800  # seconds a step may take; emulation is slow, and no step here depends on speed
# The cgroup tests of test_sandbox.py, called as they are (no pytest, whose start-up is slow here).
LIMITS = """import sys
sys.path.insert(0, "tests/e2e")
import test_sandbox
for name in dir(test_sandbox):
    if name.startswith("test_the_cgroup"):
        getattr(test_sandbox, name)()
        print(name, "passed", flush=True)
"""
REFUSE = "from convstep import sandbox; sandbox.require()"
report = {}
reporting = threading.Lock()  # two graders report at once


def note(key, value):
    with reporting:
        report[key] = value
        (SHARE / "report.json").write_text(json.dumps(report, indent=1))


def home(uid):
    """``uid``'s home folder, with the host's matplotlib font list."""
    folder = Path(f"/tmp/home-{uid}")
    if not folder.exists():
        shutil.copytree(SHARE / "mpl", folder / ".cache" / "matplotlib")
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, uid, uid)
    return folder


def run(step, argv, uid=0, cgroup=None, cwd=PROJECT):
    """Run ``argv`` as ``uid``, first moved into ``cgroup`` as systemd-run moves a command into
    its scope, and record how it went."""
    env = {"PATH": f"{os.path.dirname(PYTHON)}:/usr/sbin:/usr/bin", "HOME": str(home(uid)), "USER": f"user{uid}",
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    if cgroup is not None:
        argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(cgroup),
                "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]
    start = time.monotonic()
    try:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
        returncode, output = result.returncode, result.stdout + result.stderr
    except subprocess.TimeoutExpired as error:
        returncode, output = "hung", str(error)
    (SHARE / "logs").mkdir(exist_ok=True)
    (SHARE / "logs" / f"{step.replace(' ', '_').replace(':', '')}.txt").write_text(output)
    note(step, {"returncode": returncode, "output": output[-6000:], "seconds": round(time.monotonic() - start, 1)})


def tree(folder):
    """The cgroups under ``folder``, relative to the hierarchy's root (with what a sandbox's holds,
    if one is still there)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            found.append(str(path.relative_to(CGROUP)))
            if path.name.startswith("sandbox-"):
                found[-1] += f" procs={(path / 'cgroup.procs').read_text().split()} " + \
                    (path / "cgroup.events").read_text().replace("\n", " ")
    return found


def delegate(name, uid, parent=CGROUP, controllers="+memory +pids"):
    """A new scope for ``uid`` under ``parent``, as systemd makes one with Delegate=yes: the
    controllers enabled above it, the folder and the files the kernel lists as delegatable owned
    by the user."""
    (parent / "cgroup.subtree_control").write_text(controllers)
    scope = parent / name
    scope.mkdir()
    for path in [scope] + [scope / f for f in Path("/sys/kernel/cgroup/delegate").read_text().split()]:
        if path.exists():
            os.chown(path, uid, uid)
    return scope


def checks(name, uid=0, scope=lambda step: None):
    """The layout the grader finds, and the cgroup tests."""
    run(f"{name}: layout", [PYTHON, "-c", "from convstep.sandbox import cgroup; print(cgroup.layout())"],
        uid, scope("layout"))
    where = scope("limits")
    run(f"{name}: cgroup tests", [PYTHON, "-c", LIMITS], uid, where)
    note(f"{name}: cgroups after the cgroup tests", tree(where or CGROUP / "convstep"))


def grade(name, uid=0, scope=None):
    """Plain nbgrader autograde of a private copy of the course, started from a shell that stays
    in ``scope``."""
    course = Path(f"/tmp/{name}-course")
    shutil.copytree(SHARE / "course", course)
    for path in [course, *course.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)
    command = [PYTHON, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
    run(f"{name}: autograde", ["/bin/sh", "-c", '"$@"; exit $?', "sh", *command], uid, scope, cwd=course)
    note(f"{name}: cgroups after autograde", tree(scope or CGROUP / "convstep"))
    shutil.copytree(course, SHARE / f"{name}-course")


def main():
    note("kernel", os.uname().release)
    note("cgroup mounts", sorted({line.split(" - ")[1].split()[0] for line in open("/proc/self/mountinfo")} &
                                 {"cgroup", "cgroup2"}))
    note("controllers enabled at the root", (CGROUP / "cgroup.subtree_control").read_text().split())
    checks("root")  # first: the grader itself must enable the controllers it needs
    root = threading.Thread(target=grade, args=("root",))
    root.start()  # the two graders at once, one per virtual CPU
    scope = lambda step: delegate(f"delegated-{step}.scope", USER)
    checks("delegated", USER, scope)
    grade("delegated", USER, scope("autograde"))
    root.join()
    undelegated = CGROUP / "undelegated.scope"
    undelegated.mkdir()
    run("undelegated: refused", [PYTHON, "-c", REFUSE], USER, undelegated)
    slice_ = CGROUP / "pids-only.slice"
    slice_.mkdir()
    run("delegated without memory: refused", [PYTHON, "-c", REFUSE], USER,
        delegate("user.scope", USER, slice_, "+pids"))


if __name__ == "__main__":
    main()
