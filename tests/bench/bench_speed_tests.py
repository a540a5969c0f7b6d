"""What the speed tests of notebook 5 separate, measured where they run: real nbgrader, the sandbox.

Every correct alternative of the catalog (``ok_*``) and every loop over the output positions
(``bug_loops_over_positions``: vectorized over examples, channels and filters) of the three graded
fast functions is submitted as one student's 05 notebook; the class is graded serially
(``nbgrader autograde``) and with two workers (``convstep autograde --workers 2``); the table gives
each speed test's ratio (loop version / learner's function) and whether it passed (>= 10).

    .venv/bin/python tests/bench/bench_speed_tests.py [--rounds N]
"""

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from convstep import notebooks  # noqa: E402
from convstep.course import Course  # noqa: E402

ASSIGNMENT = "05_fast_layers"
FUNCTIONS = ("conv_forward_fast", "conv_backward_fast", "pool_forward_fast")
RATIO = re.compile(r"\((\d+) times\)|: ([\d.]+) times faster")


def variants():
    """{student name: (function, variant code)} of the catalog's correct ones and position loops."""
    found = {}
    for function in FUNCTIONS:
        for path in sorted((ROOT / "tests" / "catalog" / "student_code" / function).glob("*.py")):
            if path.stem.startswith("ok_") or path.stem == "bug_loops_over_positions":
                found[f"{function}-{path.stem}"] = (function, path.read_text())
    return found


def write_class(course, students):
    release = notebooks.read(course.notebook(course.release, ASSIGNMENT))
    solutions = course.solutions()
    for student, (function, code) in students.items():
        nb = nbformat.from_dict(json.loads(json.dumps(release)))
        for cell in nb.cells:
            name = notebooks.grade_id(cell)
            if notebooks.is_solution(cell):
                # the variant file goes in its function's cell: a companion it defines (a conv_forward_fast
                # for its own cache) replaces the solution's from there on
                cell.source = code if name == function else solutions[name]
        path = course.notebook(course.submitted / student, ASSIGNMENT)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def speed_results(course, student):
    nb = notebooks.read(course.notebook(course.autograded / student, ASSIGNMENT))
    results = {}
    for cell in nb.cells:
        name = notebooks.grade_id(cell) or ""
        if name.endswith("_speed"):
            text = "".join(o.get("text", "") or o.get("evalue", "") for o in cell.outputs)
            match = RATIO.search(text)
            passed = not any(o.output_type == "error" for o in cell.outputs)
            results[name] = (float(next(g for g in match.groups() if g)) if match else None, passed, text.strip()[:120])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="grade the class this many times each way")
    args = parser.parse_args()
    students = variants()
    rows = {student: [] for student in students}
    with tempfile.TemporaryDirectory() as folder:
        course = Course(ROOT).copy_to(Path(folder))
        course.build_release([ASSIGNMENT])
        write_class(course, students)
        for round_ in range(args.rounds):
            for how in ("serial", "workers 2"):
                start = time.monotonic()
                if how == "serial":
                    course.autograde(ASSIGNMENT)
                else:
                    for student in students:  # grade again from scratch
                        shutil.rmtree(course.autograded / student / ASSIGNMENT, ignore_errors=True)
                    course.grade([ASSIGNMENT], workers=2, progress=False)
                print(f"round {round_ + 1}, {how}: {len(students)} notebooks in {time.monotonic() - start:.0f} s",
                      flush=True)
                for student in students:
                    function, _ = students[student]
                    ratio, passed, text = speed_results(course, student)[f"test_{function}_speed"]
                    rows[student].append((how, ratio, passed, text))
    print(f"\n{'variant':58} " + " ".join(f"{how:>12}" for how, *_ in next(iter(rows.values()))))
    for student, results in rows.items():
        cells = [f"{ratio:>8.1f}x {'ok' if passed else 'NO'}" if ratio else f"{'?':>9} {'ok' if passed else 'NO'}"
                 for _, ratio, passed, _ in results]
        print(f"{student:58} " + " ".join(f"{c:>12}" for c in cells))
        for _, ratio, passed, text in results:
            if ratio is None:
                print(f"    {text}")


if __name__ == "__main__":
    main()
