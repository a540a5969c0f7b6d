"""An instructor's semester through the command line, real nbgrader and real PostgreSQL: a new
gradebook, submissions that cannot be graded, a test fixed after students submitted, late work,
and which course directory the commands work on.

Each test grades 01_zero_padding (three test cells) in its own temporary copy of the course.
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import _free_port, postgres_bin

from convstep import report, samples
from convstep.grading import state

ASSIGNMENT = "01_zero_padding"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
CLASS = {name: samples.SAMPLE_STUDENTS[name] for name in ["blank", "complete"]}
# Right on the tests of the release, wrong on a batch of more than 100 images: what a test added
# after the release catches.
SLOPPY = {"sloppy": {"solutions": "all", "edits": {"zero_pad": [
    ("    X_pad = np.pad(", "    if X.shape[0] > 100:\n        return X\n    X_pad = np.pad(")]}}}
NEW_TEST = """# Hidden test: a large batch.
### BEGIN HIDDEN TESTS
from convstep.checks import call, check_shape

X_pad = call(zero_pad, np.zeros((101, 2, 2, 1)), 1, case="zero_pad on a batch of 101 images")
check_shape("X_pad", X_pad, (101, 4, 4, 1), "zero_pad on a batch of 101 images")
print("zero_pad: large batches padded.")
### END HIDDEN TESTS"""
NOISE = ["Traceback", "KeyboardInterrupt", "CommClosedError", "still alive", "cluster to lose"]


@pytest.fixture(scope="module")
def postgres_tcp():
    """A PostgreSQL server as README's "A gradebook server" sets one up: on a host:port, a user with a
    password (scram-sha-256, no trust over TCP); yields the URL of its database "convnets"."""
    folder = Path(tempfile.mkdtemp(prefix="convstep-postgres-tcp-"))
    user = {"user": "nobody"} if os.geteuid() == 0 else {}  # PostgreSQL refuses to run as root
    (folder / "password").write_text("s3cret\n")
    if user:
        shutil.chown(folder, "nobody")
        shutil.chown(folder / "password", "nobody")
    port = _free_port()
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, text=True, cwd=folder, **user)
    run(postgres_bin("initdb"), "-D", str(folder / "data"), "--username=grader", f"--pwfile={folder / 'password'}",
        "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--no-sync")
    run(postgres_bin("pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w", "start",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off")
    try:
        subprocess.run([postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader", "convnets"],
                       check=True, capture_output=True, env=dict(os.environ, PGPASSWORD="s3cret"))
        yield f"postgresql+psycopg://grader:s3cret@127.0.0.1:{port}/convnets"
    finally:
        run(postgres_bin("pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def convstep(*args, cwd):
    """`python3 -m convstep ARGS` run in ``cwd`` (the course directory, as an instructor runs it)."""
    return subprocess.run([sys.executable, "-m", "convstep", *args], cwd=cwd, capture_output=True, text=True)


def assert_quiet(run):
    for noise in NOISE:
        assert noise not in run.stderr, run.stderr[-3000:]


def new_course(course, root, students=CLASS, db_url=None, config=""):
    copy = course.copy_to(root)
    with open(root / "nbgrader_config.py", "a") as handle:
        handle.write(("" if db_url is None else f"\nc.CourseDirectory.db_url = {db_url!r}\n") + config)
    copy.build_release([ASSIGNMENT])
    samples.write_class(copy, students, [ASSIGNMENT])
    return copy


def grades_csv(path):
    with open(path) as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def set_test_points(copy, cell_id, points=None, source=None):
    """Add the test cell ``cell_id`` (NEW_TEST) to the source notebook, or change its points."""
    path = copy.notebook(copy.source, ASSIGNMENT)
    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if c.get("id") == cell_id), None)
    if cell is None:
        cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
            "grade": True, "grade_id": cell_id, "locked": True, "points": points, "schema_version": 3,
            "solution": False, "task": False}})
        cell.id = cell_id
        last_test = max(i for i, c in enumerate(nb.cells) if c.get("id", "").startswith("test_zero_pad"))
        nb.cells.insert(last_test + 1, cell)
    cell.metadata.nbgrader["points"] = points
    nbformat.write(nb, path)


def remove_cell(copy, cell_id):
    path = copy.notebook(copy.source, ASSIGNMENT)
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") != cell_id]
    nbformat.write(nb, path)


def test_a_new_gradebook_regrades_and_grades_csv_never_shrinks_silently(tmp_path, course, postgres_tcp):
    copy = new_course(course, tmp_path)
    first = convstep("autograde", ASSIGNMENT, "--workers", "2", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "autograde: 2 graded, 0 already graded (skipped), 0 failed" in first.stderr
    assert_quiet(first)
    again = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert again.returncode == 0 and "0 graded, 2 already graded (skipped), 0 failed" in again.stderr, again.stderr
    before = grades_csv(copy.grades_csv)
    assert {key: row["score"] for key, row in before.items()} == {
        (ASSIGNMENT, "complete"): "3.0", (ASSIGNMENT, "blank"): "0.0"}

    # nbgrader_config.py now points at PostgreSQL, as README's "A gradebook server" says.
    with open(tmp_path / "nbgrader_config.py", "a") as handle:
        handle.write(f"\nc.CourseDirectory.db_url = {postgres_tcp!r}\n")
    unknown = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert unknown.returncode == 1 and "does not hold 01_zero_padding" in unknown.stderr, unknown.stderr
    assert "grader:***@127.0.0.1:" in unknown.stderr and "s3cret" not in unknown.stderr  # the gradebook in use
    assert grades_csv(copy.grades_csv) == before

    released = convstep("release", ASSIGNMENT, cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    one = convstep("autograde", ASSIGNMENT, "--student", "complete", cwd=tmp_path)
    assert one.returncode == 0, one.stderr[-3000:]
    assert "autograde: 1 graded, 0 already graded (skipped), 0 failed" in one.stderr  # graded again, in PostgreSQL
    kept = sorted(tmp_path.glob("grades-replaced-*.csv"))
    assert len(kept) == 1 and grades_csv(kept[0]) == before  # the previous file, kept and named
    assert f"1 rows of the previous file are not in the gradebook in use (e.g. blank/{ASSIGNMENT})" in one.stderr
    assert kept[0].name in one.stderr and set(grades_csv(copy.grades_csv)) == {(ASSIGNMENT, "complete")}
    assert [line.split()[0] for line in one.stdout.splitlines()[2:]] == ["complete"]  # the table: that student

    rest = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert "autograde: 1 graded, 1 already graded (skipped), 0 failed" in rest.stderr, rest.stderr[-3000:]
    assert {k: r["score"] for k, r in grades_csv(copy.grades_csv).items()} == {k: r["score"] for k, r in before.items()}
    with copy.gradebook() as gb:
        assert sorted(s.student.id for s in gb.find_assignment(ASSIGNMENT).submissions) == ["blank", "complete"]
    assert len(list(tmp_path.glob("grades-replaced-*.csv"))) == 1  # nothing lost, nothing kept aside


def test_what_was_not_graded_gives_nbgraders_reason_and_a_failing_exit(tmp_path, course, postgres):
    long_id = "s" * 130  # longer than nbgrader's student.id column (128) in a database that checks it
    copy = new_course(course, tmp_path, db_url=postgres("semester_failures"))
    samples.write_class(copy, {long_id: samples.SAMPLE_STUDENTS["complete"]}, [ASSIGNMENT])
    (copy.submitted / "corrupt" / ASSIGNMENT).mkdir(parents=True)
    (copy.submitted / "corrupt" / ASSIGNMENT / NOTEBOOK).write_text('{"cells": [')
    run = convstep("autograde", ASSIGNMENT, "--workers", "2", cwd=tmp_path)
    assert run.returncode == 1, run.stderr[-3000:]
    assert "autograde: 2 graded, 0 already graded (skipped), 2 failed" in run.stderr
    assert f"not graded: corrupt/{ASSIGNMENT}: {NOTEBOOK} is not a notebook nbformat can read (NotJSONError" in run.stderr
    reason = next(line for line in run.stderr.splitlines() if line.startswith(f"not graded: {long_id}/"))
    assert "value too long for type character varying(128)" in reason, reason  # nbgrader's own error
    assert "see the nbgrader output" not in run.stdout + run.stderr
    assert_quiet(run)
    table = {line.split()[0]: line for line in run.stdout.splitlines()[2:]}
    assert "value too long" in table[long_id] and "not a notebook nbformat can read" in table["corrupt"]
    assert table["complete"].split()[1:4] == ["3", "/", "3"]
    assert state.read(tmp_path, ASSIGNMENT, long_id)["error"] == reason.split(": ", 2)[2]
    rerun = convstep("autograde", ASSIGNMENT, cwd=tmp_path)  # what failed is tried again, and fails again
    assert rerun.returncode == 1 and "autograde: 0 graded, 2 already graded (skipped), 2 failed" in rerun.stderr


def test_fixing_a_test_after_students_submitted_regrades_every_submission(tmp_path, course, postgres):
    url = postgres("semester_fix")
    copy = new_course(course, tmp_path, {**CLASS, **SLOPPY}, db_url=url)
    assert convstep("autograde", ASSIGNMENT, "--workers", "2", cwd=tmp_path).returncode == 0
    assert report.scores(copy, ["complete", "sloppy"]) == {("complete", ASSIGNMENT): (3, 3), ("sloppy", ASSIGNMENT): (3, 3)}
    page = copy.feedback / "sloppy" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert f"{ASSIGNMENT} (Score: 3 / 3)" in page.read_text()

    # A test added after the release, another removed: nbgrader refuses to change graded cells under
    # submissions (and the submissions hold a cell the new version does not know).
    set_test_points(copy, "test_zero_pad_large_batch", 1, NEW_TEST)
    remove_cell(copy, "test_zero_pad_shapes")
    release_before = {p: p.read_bytes() for p in (copy.release / ASSIGNMENT).rglob("*")}
    refused = convstep("release", ASSIGNMENT, cwd=tmp_path)
    assert refused.returncode == 1, refused.stderr
    assert "grader@/semester_fix" in refused.stderr and "gradebook.db" not in refused.stderr  # the gradebook in use
    assert f"release {ASSIGNMENT} --regrade" in refused.stderr and "db student remove" not in refused.stderr
    assert {p: p.read_bytes() for p in (copy.release / ASSIGNMENT).rglob("*")} == release_before  # nothing deleted

    regraded = convstep("release", ASSIGNMENT, "--regrade", cwd=tmp_path)
    assert regraded.returncode == 0, regraded.stderr
    assert "large batch" in copy.notebook(copy.release, ASSIGNMENT).read_text() or \
        "test_zero_pad_large_batch" in copy.notebook(copy.release, ASSIGNMENT).read_text()
    assert not page.exists()  # the old page showed the old grades
    with copy.gradebook() as gb:
        assert gb.find_assignment(ASSIGNMENT).submissions == [] and len(gb.students) == 3  # students kept
    run = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert run.returncode == 0 and "autograde: 3 graded" in run.stderr, run.stderr[-3000:]
    assert report.scores(copy, ["complete", "sloppy", "blank"]) == {
        ("complete", ASSIGNMENT): (3, 3), ("sloppy", ASSIGNMENT): (2, 3), ("blank", ASSIGNMENT): (0, 3)}
    assert report.cell_scores(copy, "sloppy", ASSIGNMENT) == {
        "test_zero_pad_visible": (1, 1), "test_zero_pad_values": (1, 1), "test_zero_pad_large_batch": (0, 1)}
    assert f"{ASSIGNMENT} (Score: 2 / 3)" in page.read_text()

    # Changed points only: nbgrader updates the gradebook in place; every submission is graded again.
    set_test_points(copy, "test_zero_pad_large_batch", 2)
    repointed = convstep("release", ASSIGNMENT, cwd=tmp_path)
    assert repointed.returncode == 0 and "graded against its previous version" in repointed.stderr, repointed.stderr
    assert not page.exists()
    run = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert "autograde: 3 graded, 0 already graded (skipped), 0 failed" in run.stderr, run.stderr[-3000:]
    assert report.scores(copy, ["complete", "sloppy"]) == {("complete", ASSIGNMENT): (4, 4), ("sloppy", ASSIGNMENT): (2, 4)}
    assert f"{ASSIGNMENT} (Score: 2 / 4)" in page.read_text()
    rows = grades_csv(copy.grades_csv)
    assert (rows[ASSIGNMENT, "sloppy"]["score"], rows[ASSIGNMENT, "sloppy"]["max_score"]) == ("2.0", "4.0")


def test_late_work_is_shown_everywhere_and_penalized_as_configured(tmp_path, course):
    students = {"punctual": samples.SAMPLE_STUDENTS["complete"], "tardy": samples.SAMPLE_STUDENTS["complete"]}
    copy = new_course(course, tmp_path, students, config='\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with copy.gradebook() as gb:  # the course's due date (nbgrader_config.py), written by release
        assert f"{gb.find_assignment(ASSIGNMENT).duedate}" == "2026-09-18 23:59:59"
    for student, when in {"punctual": "2026-09-18 21:00:00 UTC", "tardy": "2026-09-20 02:30:00 UTC"}.items():
        (copy.submitted / student / ASSIGNMENT / "timestamp.txt").write_text(when)
    run = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    table = {line.split()[0]: line for line in run.stdout.splitlines()[2:]}
    assert table["tardy"].split()[1:4] == ["0", "/", "3"] and "01 1 d 2 h late, -3 late penalty" in table["tardy"]
    assert table["punctual"].split()[1:4] == ["3", "/", "3"] and "late" not in table["punctual"]
    rows = grades_csv(copy.grades_csv)
    assert (rows[ASSIGNMENT, "tardy"]["timestamp"], rows[ASSIGNMENT, "tardy"]["late_submission_penalty"],
            rows[ASSIGNMENT, "tardy"]["score"]) == ("2026-09-20 02:30:00", "3.0", "0.0")
    with open(tmp_path / "grades_by_function.csv") as handle:
        by_function = {row["student"]: row for row in csv.DictReader(handle)}
    assert by_function["tardy"]["late"] == "01 1 d 2 h late, -3 late penalty" and by_function["punctual"]["late"] == ""

    # The course's default policy: late work keeps its score, its lateness shown. A policy change is
    # not a change of the assignment: --force grades again.
    config = (tmp_path / "nbgrader_config.py").read_text().replace('"zero"', '"none"')
    (tmp_path / "nbgrader_config.py").write_text(config)
    assert "0 graded, 2 already graded" in convstep("autograde", ASSIGNMENT, cwd=tmp_path).stderr
    forced = convstep("autograde", ASSIGNMENT, "--force", cwd=tmp_path)
    table = {line.split()[0]: line for line in forced.stdout.splitlines()[2:]}
    assert table["tardy"].split()[1:4] == ["3", "/", "3"] and table["tardy"].endswith("01 1 d 2 h late")

    # A new due date is a change of the assignment: its submissions are graded again.
    (tmp_path / "nbgrader_config.py").write_text(config.replace("2026-09-18 23:59:59 UTC", "2026-09-20 12:00:00 UTC"))
    assert convstep("release", ASSIGNMENT, cwd=tmp_path).returncode == 0
    moved = convstep("autograde", ASSIGNMENT, cwd=tmp_path)
    assert "autograde: 2 graded" in moved.stderr and "late" not in moved.stdout.split("total")[1], moved.stdout


def test_the_commands_work_on_the_course_they_are_run_in(tmp_path, course):
    """nbgrader's rule: the current directory is the course, or --course names it; the repository
    this package sits in is never used instead."""
    copy = new_course(course, tmp_path / "next-semester", {"ann": samples.SAMPLE_STUDENTS["blank"]})
    here = convstep("report", cwd=copy.root)
    assert here.returncode == 0, here.stderr
    assert here.stdout.splitlines()[2].split()[:2] == ["ann", "missing"]  # its submission, not graded yet
    assert f"course directory: {copy.root}" in here.stderr
    (tmp_path / "elsewhere").mkdir()
    named = convstep("report", "--course", "../next-semester", cwd=tmp_path / "elsewhere")
    assert named.returncode == 0 and named.stdout == here.stdout
    nowhere = convstep("report", cwd=tmp_path / "elsewhere")
    assert nowhere.returncode == 1
    assert f"{tmp_path / 'elsewhere'} is not a course directory" in nowhere.stderr and "--course DIR" in nowhere.stderr
