"""What grading each notebook of the course costs (not a pytest test): prints seconds per notebook.

Run from a checkout, with its own environment:  .venv/bin/python tests/bench/bench_cost.py [--students 6]

For each assignment, ``--students`` complete submissions (the sample class's "complete" student,
copied) in a temporary copy of the course are graded twice: serially by plain ``nbgrader
autograde``, and by ``convstep autograde --workers 2`` (with feedback). Run it in two checkouts to
compare two versions of the grader on the same machine.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from convstep import samples  # noqa: E402
from convstep.course import Course  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    args = parser.parse_args()
    print(f"{'assignment':18} {'serial s/notebook':>18} {'--workers 2 s/notebook':>23}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        course = Course(ROOT).copy_to(Path(folder))
        course.build_release()
        samples.write_class(course, {"complete": samples.SAMPLE_STUDENTS["complete"]})
        for assignment in course.assignments():
            for n in range(1, args.students):
                shutil.copytree(course.submitted / "complete" / assignment, course.submitted / f"c{n}" / assignment)
        for assignment in course.assignments():
            start = time.monotonic()
            course.autograde(assignment)
            serial = (time.monotonic() - start) / args.students
            shutil.rmtree(course.autograded)
            start = time.monotonic()
            subprocess.run([sys.executable, "-m", "convstep", "autograde", assignment, "--course", str(course.root),
                            "--workers", "2"], check=True, capture_output=True)
            parallel = (time.monotonic() - start) / args.students
            shutil.rmtree(course.autograded)
            print(f"{assignment:18} {serial:18.2f} {parallel:23.2f}", flush=True)


if __name__ == "__main__":
    main()
