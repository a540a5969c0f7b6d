"""Grading a class at scale: `convstep autograde` in parallel gives exactly what serial `nbgrader
autograde` gives; a PostgreSQL gradebook; a Dask cluster of separate worker processes that loses
a worker half-way; Ctrl-C and reruns that grade only what is missing or changed."""

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import _free_port
from convstep import report, samples
from convstep.grading import parallel, state

ASSIGNMENTS = ["01_zero_padding", "02_conv_forward"]
CLASS = samples.SAMPLE_STUDENTS  # timestamped: 8 notebooks for two workers to share
DONE = f"*/*/{state.FILE_NAME}"
# What a run must never print: tracebacks, Dask's lost tasks, killed workers, closed connections.
NOISE = ["Traceback", "KeyboardInterrupt", "CommClosedError", "still alive", "cluster to lose", "Exception"]


def assert_quiet(stderr):
    for noise in NOISE:
        assert noise not in stderr, stderr[-3000:]


def make_class(course):
    """The class's submissions in a copy of the course (the looping student cut off after 5 s)."""
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write("\nc.SandboxedExecute.timeout = 5\n")
    course.build_release(ASSIGNMENTS)
    students = samples.write_class(course, CLASS, ASSIGNMENTS)
    for number, student in enumerate(students):
        for assignment in ASSIGNMENTS:
            (course.submitted / student / assignment / "timestamp.txt").write_text(
                f"2026-11-{10 + number:02d} 09:{number:02d}:00.000000 UTC")
    return students


def convstep(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "convstep", *args], capture_output=True, text=True, **kwargs)


def gradebook_state(course, students):
    """Everything the gradebook says of each graded notebook: per cell, the score, the comment;
    and the submission's timestamp."""
    state = {}
    with course.gradebook() as gb:
        for student in students:
            for assignment in ASSIGNMENTS:
                submission = gb.find_submission(assignment, student)
                notebook = gb.find_submission_notebook(assignment, assignment, student)
                state[student, assignment] = {
                    "timestamp": str(submission.timestamp),
                    "cells": {g.name: (g.score, g.max_score) for g in notebook.grades},
                    "comments": {c.name: c.comment for c in notebook.comments}}
    return state


def integrity_and_notes(course, students):
    rows = sorted(tuple(sorted(r.items())) for r in report.integrity_rows(course, students))
    return rows, {(s, a): report.notes(course, s, a) for s in students for a in ASSIGNMENTS}


@pytest.fixture(scope="module")
def serial(tmp_path_factory, course):
    """The class graded the stock way: plain `nbgrader autograde`, one assignment after the other."""
    copy = course.copy_to(tmp_path_factory.mktemp("serial"))
    students = make_class(copy)
    for assignment in ASSIGNMENTS:
        copy.autograde(assignment)
    return copy, students, gradebook_state(copy, students), integrity_and_notes(copy, students)


def test_parallel_grades_equal_serial_grades_cell_by_cell(tmp_path, course, serial):
    _, students, expected, expected_report = serial
    copy = course.copy_to(tmp_path)
    make_class(copy)
    run = convstep("autograde", *ASSIGNMENTS, "--course", str(tmp_path), "--workers", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    assert gradebook_state(copy, students) == expected
    assert integrity_and_notes(copy, students) == expected_report
    assert "notebook" in run.stderr and "100%" in run.stderr  # the progress bar
    assert "autograde: 8 graded, 0 already graded (skipped), 0 failed" in run.stderr
    assert_quiet(run.stderr)
    assert re.search(r"^complete\s+3 / 3\s+13 / 13\s+16 / 16", run.stdout, re.M), run.stdout  # the score table
    for student in students:
        for assignment in ASSIGNMENTS:
            assert (copy.feedback / student / assignment / f"{assignment}.html").exists()
    with open(tmp_path / "grades_by_function.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["complete"]["conv_forward (10)"] == "10" and rows["mistakes"]["conv_single_step (3)"] == "0"
    total = next(column for column in rows["blank"] if column.startswith("total ("))
    assert rows["looping"]["conv_forward (10)"] == "0" and rows["blank"][total] == "0"
    assert rows["complete"]["pool_forward (8)"] == ""  # not graded in this run


def test_a_rerun_grades_only_what_is_missing_or_changed(tmp_path, course):
    copy = course.copy_to(tmp_path)
    make_class(copy)
    first = parallel.grade_class(copy, ASSIGNMENTS[:1], workers=2, progress=False)
    assert len(first) == len(CLASS) and {o.status for o in first} == {parallel.GRADED}
    second = parallel.grade_class(copy, ASSIGNMENTS[:1], workers=2, progress=False)
    assert len(second) == len(CLASS) and {o.status for o in second} == {parallel.SKIPPED}
    path = copy.notebook(copy.submitted / "blank", ASSIGNMENTS[0])
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("a late change"))
    nbformat.write(nb, path)
    state.path(copy.root, ASSIGNMENTS[0], "complete").unlink()  # as if cut off before its end
    with copy.gradebook() as gb:  # a grading that stopped half-way: a test cell without a score
        gb.find_grade("test_zero_pad_values", ASSIGNMENTS[0], ASSIGNMENTS[0], "mistakes").auto_score = None
        gb.db.commit()
    again = parallel.grade_class(copy, ASSIGNMENTS[:1], workers=2, progress=False)
    assert sorted(o.student for o in again if o.status == parallel.GRADED) == ["blank", "complete", "mistakes"]
    only = parallel.grade_class(copy, ASSIGNMENTS[:1], workers=2, progress=False, students=["comp*"], force=True)
    assert [(o.student, o.status) for o in only] == [("complete", parallel.GRADED)]


def test_ctrl_c_stops_cleanly_and_the_rerun_finishes_the_class(tmp_path, course, serial):
    _, students, expected, _ = serial
    copy = course.copy_to(tmp_path)
    make_class(copy)
    command = [sys.executable, "-m", "convstep", "autograde", *ASSIGNMENTS, "--course", str(tmp_path), "--workers", "2"]
    # A terminal's Ctrl-C reaches a process whose SIGINT is live; a shell's background job (how this
    # test may be started) ignores SIGINT, and Python then never raises KeyboardInterrupt.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while not list(copy.autograded.glob(DONE)):  # the first submission is done
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    assert "run the same command again" in stderr
    assert_quiet(stderr)
    done = list(copy.autograded.glob(DONE))
    assert 0 < len(done) < len(students) * len(ASSIGNMENTS)
    rerun = convstep(*command[3:])
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"already graded (skipped)" in rerun.stderr and f"{len(done)} already graded" in rerun.stderr
    assert_quiet(rerun.stderr)
    assert gradebook_state(copy, students) == expected


def test_a_dask_cluster_into_postgresql_survives_a_lost_worker(tmp_path, course, serial, postgres):
    _, students, expected, _ = serial
    copy = course.copy_to(tmp_path)
    url = postgres("cluster")
    with open(tmp_path / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
    make_class(copy)
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = lambda *args: subprocess.Popen([dask, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                             start_new_session=True)
    scheduler = started("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    workers = [started("worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--name", f"w{n}")
               for n in range(2)]
    try:
        grading = subprocess.Popen([sys.executable, "-m", "convstep", "autograde", *ASSIGNMENTS, "--course",
                                    str(tmp_path), "--scheduler", address], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        while not list(copy.autograded.glob(DONE)):
            assert grading.poll() is None, grading.communicate()
            time.sleep(0.2)
        os.killpg(workers[0].pid, signal.SIGKILL)  # a machine of the cluster is lost half-way
        stdout, stderr = grading.communicate(timeout=600)
        assert grading.returncode == 0, stderr[-3000:]
        assert_quiet(stderr)
    finally:
        for process in [scheduler, *workers]:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert gradebook_state(copy, students) == expected  # every submission, graded once, as serially
    with copy.gradebook() as gb:
        for assignment in ASSIGNMENTS:
            assert sorted(s.student.id for s in gb.find_assignment(assignment).submissions) == sorted(students)
    assert len(list(copy.autograded.glob(DONE))) == len(students) * len(ASSIGNMENTS), stderr
