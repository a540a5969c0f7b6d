"""Runs inside the guest of test_cgroup_v2.py, as root, where /sys/fs/cgroup is a pure cgroup v2
hierarchy as the kernel booted it (no systemd, no controller enabled anywhere).

Three graders, one after the other, each the project's real code on the v2 path:
- root: the sandbox's cgroup tests of test_sandbox.py, then plain ``nbgrader autograde`` of the
  course copy in SHARE/course;
- a user with a delegated subtree, made as systemd's Delegate=yes makes it: the same;
- a user in a cgroup of root's: grading must refuse, saying how to delegate.
Writes SHARE/report.json ({step: {"returncode", "output", "seconds", ...}}) and a copy of each graded
course in SHARE/<grader>-course for the test to read the scores from.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SHARE = Path(sys.argv[1])
PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CGROUP = Path("/sys/fs/cgroup")
USER = 1000
ASSIGNMENT = "01_zero_padding"
HANG_GUARD = 1800  # seconds; emulation is slow, and no step here may depend on speed
# nbgrader's own deadlines are for a machine's speed, not an emulator's: generous, as hang guards only.
GENEROUS = ["--SandboxedExecute.timeout=600", "--SandboxedExecute.notebook_timeout=1800",
            "--SandboxedExecute.startup_timeout=600"]
report = {}


def run(step, argv, uid=0, cgroup=None, cwd=PROJECT):
    """Run ``argv`` as ``uid``, first moved into ``cgroup`` (as systemd-run does), and record it."""
    home = Path(f"/tmp/home-{uid}")
    home.mkdir(exist_ok=True)
    os.chown(home, uid, uid)
    env = {"PATH": f"{os.path.dirname(PYTHON)}:/usr/sbin:/usr/bin", "HOME": str(home), "USER": f"user{uid}",
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    if cgroup is not None:
        argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(cgroup),
                "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]
    start = time.monotonic()
    try:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
        returncode, output = result.returncode, result.stdout + result.stderr
    except subprocess.TimeoutExpired as error:
        returncode, output = "hung", f"{error}"
    report[step] = {"returncode": returncode, "output": output[-6000:], "seconds": round(time.monotonic() - start, 1)}
    save()
    return report[step]


def save():
    (SHARE / "report.json").write_text(json.dumps(report, indent=1))


def sandbox_cgroups():
    """Every sandbox cgroup left anywhere in the hierarchy."""
    return sorted(str(path) for path in CGROUP.rglob("sandbox-*") if path.is_dir())


def grade(name, uid=0, cgroup=None):
    """The cgroup tests of test_sandbox.py, then nbgrader autograde of a private copy of the course."""
    run(f"{name}: layout", [PYTHON, "-c", "from convstep.sandbox import cgroup; print(cgroup.layout())"],
        uid, cgroup)
    run(f"{name}: test_sandbox.py", [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-k", "cgroup",
                                    "tests/e2e/test_sandbox.py"], uid, cgroup)
    course = Path(f"/tmp/{name}-course")
    shutil.copytree(SHARE / "course", course)
    for path in [course, *course.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)
    run(f"{name}: autograde", [PYTHON, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force", *GENEROUS],
        uid, cgroup, cwd=course)
    report[f"{name}: sandbox cgroups left"] = sandbox_cgroups()
    shutil.copytree(course, SHARE / f"{name}-course")
    save()


def delegate(folder, uid):
    """A cgroup for ``uid`` as systemd makes it for Delegate=yes: the memory and pids controllers
    enabled above it, the folder and the files the kernel lists as delegatable owned by the user."""
    (CGROUP / "cgroup.subtree_control").write_text("+memory +pids")
    folder.mkdir()
    os.chown(folder, uid, uid)
    for name in Path("/sys/kernel/cgroup/delegate").read_text().split():
        if (folder / name).exists():
            os.chown(folder / name, uid, uid)
    return folder


def main():
    report["kernel"] = os.uname().release
    report["cgroup mounts"] = [line.split(" - ")[1].split()[0] for line in open("/proc/self/mountinfo")
                               if "cgroup" in line.split(" - ")[1].split()[0]]
    save()
    grade("root")
    grade("delegated", USER, delegate(CGROUP / "delegated.scope", USER))
    undelegated = CGROUP / "undelegated.scope"
    undelegated.mkdir()
    run("undelegated: refused", [PYTHON, "-c", "from convstep import sandbox; sandbox.require()"], USER, undelegated)


if __name__ == "__main__":
    main()
