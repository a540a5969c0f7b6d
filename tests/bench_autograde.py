"""Benchmark: seconds of `nbgrader autograde` per notebook for one complete submission.

Run: .venv/bin/python tests/bench_autograde.py [repeats]
Grades in a temporary copy of the course. The floor is a bare notebook with one trivial cell and no
tests: what autograde costs before any test runs (start-up, kernel launch, database).
"""

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from convstep.course import SAMPLE_STUDENTS, Course

BARE = "00_bare"


def timed(course, assignment, repeats):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        course.nbgrader("autograde", assignment, "--student=complete", "--force")
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(repeats=3):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(Course().source, root / "source")
        shutil.copy(Course().root / "nbgrader_config.py", root)
        bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1")])
        bare.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (root / "source" / BARE).mkdir()
        nbformat.write(bare, root / "source" / BARE / f"{BARE}.ipynb")
        course = Course(root)
        course.build_release()
        course.make_sample_submissions({"complete": SAMPLE_STUDENTS["complete"]})
        print(f"\nnbgrader autograde, one complete submission, median of {repeats} runs:")
        for assignment in course.assignments():
            print(f"  {assignment:18s} {timed(course, assignment, repeats):6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
