"""Benchmark: seconds of `nbgrader autograde` per notebook, in the sandbox and without it.

Run: .venv/bin/python tests/bench/bench_autograde.py [repeats]
Grades one complete submission per assignment in a temporary copy of the course, `repeats` times
with the sandbox (the default) and `repeats` times with --SandboxedExecute.sandbox=False, and prints
the medians and the sandbox's overhead. The floor is a bare notebook with one trivial cell and no
tests: what autograde costs before any test runs (start-up, kernel launch, database).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from convstep import samples
from convstep.course import Course
from convstep.samples import SAMPLE_STUDENTS

BARE = "00_bare"


def timed(course, assignment, repeats, *options):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        course.nbgrader("autograde", assignment, "--student=complete", "--force", *options)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(repeats=3):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = Course().copy_to(root)
        bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1")])
        bare.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (root / "source" / BARE).mkdir()
        nbformat.write(bare, root / "source" / BARE / f"{BARE}.ipynb")
        course.build_release()
        samples.write_class(course, {"complete": SAMPLE_STUDENTS["complete"]})
        timed(course, BARE, 1)  # warm-up: first kernel start, font cache, database
        print(f"\nnbgrader autograde, one complete submission, median of {repeats} runs (seconds):")
        print(f"  {'notebook':18s} {'sandbox':>8s} {'no sandbox':>11s} {'overhead':>9s}")
        for assignment in course.assignments():
            boxed = timed(course, assignment, repeats)
            plain = timed(course, assignment, repeats, "--SandboxedExecute.sandbox=False")
            print(f"  {assignment:18s} {boxed:8.2f} {plain:11.2f} {boxed - plain:+8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
