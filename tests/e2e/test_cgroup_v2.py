"""The sandbox's cgroup v2 path (Ubuntu 22.04+, Debian 12+), which this machine's cgroup v1 cannot
show: Debian's kernel boots in qemu (tests/vm.py) with a pure cgroup v2 hierarchy, and there the
project's real grader runs as root, as a user with a delegated subtree, and as a user without one
(tests/e2e/cgroup_v2_guest.py). One boot; each test reads its part of the guest's report."""

import json
import re
import sys
import time
from pathlib import Path

import pytest
import vm

from convstep import report
from convstep.course import Course
from convstep.grading.record import GradingRecord
from convstep.samples import SAMPLE_STUDENTS, write_class

GUEST = Path(__file__).with_name("cgroup_v2_guest.py")
PROJECT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "01_zero_padding"
STUDENTS = {name: SAMPLE_STUDENTS[name] for name in ("complete", "blank")}


@pytest.fixture(scope="module")
def guest(tmp_path_factory, course):
    """The guest's report and shared folder, after it ran to the end."""
    work = tmp_path_factory.mktemp("guest")
    copy = course.copy_to(work / "share" / "course")
    copy.build_release([ASSIGNMENT])
    write_class(copy, STUDENTS, [ASSIGNMENT])
    start = time.monotonic()
    status, output, console = vm.boot([sys.executable, str(GUEST), vm.SHARE], work, trees=[PROJECT])
    print(f"guest ({vm.accelerator()}): {time.monotonic() - start:.0f} s")
    found = json.loads((work / "share" / "report.json").read_text()) if (work / "share" / "report.json").exists() else {}
    for step, result in found.items():
        print(step, result if not isinstance(result, dict) else (result["returncode"], result["seconds"]))
    assert status == 0, f"the guest failed (exit {status}):\n{output[-3000:]}\n{console[-3000:]}"
    return found, work / "share"


def test_the_guest_has_cgroup_v2_only(guest):
    found, _ = guest
    assert found["cgroup mounts"] == ["cgroup2"], found


def passed(result):
    assert result["returncode"] == 0, result["output"]
    return result["output"]


@pytest.mark.parametrize("grader, parent", [("root", "/sys/fs/cgroup/convstep"),
                                            ("delegated", "/sys/fs/cgroup/delegated.scope")])
def test_grading_on_cgroup_v2(guest, grader, parent):
    """As root, and as a user in a delegated subtree: sandboxes get their cgroups under ``parent``,
    the memory and process limits hold (test_sandbox.py's cgroup tests), plain nbgrader autograde
    grades in the sandbox, and no sandbox cgroup is left."""
    found, share = guest
    assert passed(found[f"{grader}: layout"]).strip() == f"('v2', PosixPath('{parent}'))"
    assert re.search(r"\b2 passed\b", passed(found[f"{grader}: test_sandbox.py"]))
    passed(found[f"{grader}: autograde"])
    graded = Course(share / f"{grader}-course")
    scores = report.scores(graded, sorted(STUDENTS))
    assert scores["complete", ASSIGNMENT] == (3, 3) and scores["blank", ASSIGNMENT] == (0, 3), scores
    for student in STUDENTS:
        record = GradingRecord.load(graded.autograded / student / ASSIGNMENT)
        assert record.notes == [] and record.peak_memory > 0, record  # read from the v2 cgroup's memory.peak
    assert found[f"{grader}: sandbox cgroups left"] == []


def test_a_user_without_delegation_is_refused(guest):
    found, _ = guest
    refused = found["undelegated: refused"]
    assert refused["returncode"] != 0
    assert "refusing to grade without a sandbox" in refused["output"]
    assert "systemd-run --user --scope -p Delegate=yes" in refused["output"]
