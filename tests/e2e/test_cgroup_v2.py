"""The sandbox's cgroup v2 path (Ubuntu 22.04+, Debian 12+), which this machine's cgroup v1 cannot
show: Debian's kernel boots in qemu (tests/vm.py) with a pure cgroup v2 hierarchy, and there the
project's real grader runs as root, as a user with a delegated subtree, and as a user without one
(tests/e2e/cgroup_v2_guest.py). One boot; each test reads its part of the guest's report."""

import json
import shutil
import sys
import time
from pathlib import Path

import pytest
import test_sandbox
import vm

from convstep import report
from convstep.course import Course
from convstep.grading.record import GradingRecord
from convstep.samples import SAMPLE_STUDENTS, write_class
from convstep.sandbox.kernel import font_cache

GUEST = Path(__file__).with_name("cgroup_v2_guest.py")
PROJECT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "01_zero_padding"
STUDENTS = {"complete": SAMPLE_STUDENTS["complete"]}  # one notebook: the emulator runs Python 8-25x slower


# Deadlines are for a machine's speed, not an emulator's: in the guest they only stop a hang.
GENEROUS = """
c.SandboxedExecute.timeout = 600
c.SandboxedExecute.startup_timeout = 600
c.SandboxedExecute.iopub_timeout = 600
c.SandboxedExecute.responsive_timeout = 600
c.SandboxedExecute.notebook_timeout = 1800
c.SandboxedExecute.prestart = False
"""


@pytest.fixture(scope="module")
def guest(tmp_path_factory, course):
    """The guest's report and shared folder, after it ran to the end."""
    work = tmp_path_factory.mktemp("guest")
    copy = course.copy_to(work / "share" / "course")
    with open(copy.root / "nbgrader_config.py", "a") as config:
        config.write(GENEROUS)
    copy.build_release([ASSIGNMENT])
    write_class(copy, STUDENTS, [ASSIGNMENT])
    (work / "share" / "mpl").mkdir()
    for font_list in font_cache():
        shutil.copy(font_list, work / "share" / "mpl")
    start = time.monotonic()
    status, output, console = vm.boot([sys.executable, str(GUEST), vm.SHARE], work, trees=[PROJECT])
    print(f"\nguest ({vm.accelerator()}): {time.monotonic() - start:.0f} s")
    path = work / "share" / "report.json"
    found = json.loads(path.read_text()) if path.exists() else {}
    for step, result in found.items():
        print(" ", step, (result["returncode"], result["seconds"]) if isinstance(result, dict) else result)
    assert status == 0, f"the guest failed (exit {status}):\n{output[-3000:]}\n{console[-3000:]}"
    return found, work / "share"


def passed(result):
    assert result["returncode"] == 0, result["output"]
    return result["output"]


def test_the_guest_has_a_pure_cgroup_v2_hierarchy(guest):
    found, _ = guest
    assert found["cgroup mounts"] == ["cgroup2"]
    assert found["controllers enabled at the root"] == []  # as the kernel boots it, without systemd


@pytest.mark.parametrize("grader", ["root", "delegated"])
def test_grading_on_cgroup_v2(guest, grader):
    """As root, and as a user in delegated subtrees: sandboxes get their cgroups where they should;
    the memory and process limits and the freezer hold (test_sandbox.py's cgroup tests); nbgrader
    grades in the sandbox; at the end no sandbox's cgroup is left, and in a delegated subtree only
    the leaf the grader's own processes moved to."""
    found, share = guest
    parent = "convstep" if grader == "root" else "delegated-layout.scope"
    left = lambda step: [] if grader == "root" else [f"delegated-{step}.scope/grader"]
    assert passed(found[f"{grader}: layout"]).strip() == f"('v2', PosixPath('/sys/fs/cgroup/{parent}'))"
    ran = [line.split()[0] for line in passed(found[f"{grader}: cgroup tests"]).splitlines()]
    assert ran == sorted(name for name in dir(test_sandbox) if name.startswith("test_the_cgroup")) and len(ran) >= 3
    assert found[f"{grader}: cgroups after the cgroup tests"] == left("limits")
    passed(found[f"{grader}: autograde"])
    graded = Course(share / f"{grader}-course")
    scores = report.scores(graded, sorted(STUDENTS))
    assert scores["complete", ASSIGNMENT] == (3, 3), scores
    for student in STUDENTS:
        record = GradingRecord.load(graded.autograded / student / ASSIGNMENT)
        assert record.notes == [] and record.peak_memory > 0, record  # from the v2 cgroup's memory.peak
    assert found[f"{grader}: cgroups after autograde"] == left("autograde")


@pytest.mark.parametrize("step, why", [
    ("undelegated: refused", "systemd-run --user --scope -p Delegate=yes"),
    ("delegated without memory: refused", "lacks the memory controller")])
def test_grading_refuses_without_a_delegated_subtree(guest, step, why):
    found, _ = guest
    refused = found[step]
    assert refused["returncode"] != 0
    assert "refusing to grade without a sandbox" in refused["output"] and why in refused["output"], refused["output"]
