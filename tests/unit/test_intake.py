"""What grading takes from a submission folder: the notebook as a plain file, nothing else, never a link."""

import os

import nbformat
import pytest

from convstep.grading import intake
from convstep.sandbox.entry import Audit

NAME = "02_conv_forward"


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "submitted" / "ann" / NAME
    path.mkdir(parents=True)
    return path


def notebook_text():
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))


def test_the_notebook_a_valid_timestamp_and_the_exchange_secret_are_taken(folder):
    (folder / f"{NAME}.ipynb").write_text(notebook_text())
    (folder / "timestamp.txt").write_text("2026-11-30 14:05:09.000000 UTC")
    (folder / "submission_secret.txt").write_text("ab" * 64)   # feedback is released under its hash
    received = intake.inspect(folder, [NAME])
    assert sorted(received.taken) == [f"{NAME}.ipynb", "submission_secret.txt", "timestamp.txt"]
    assert received.ignored == []
    assert received.summary([NAME]) == ""


def test_everything_else_is_left_and_listed(folder, tmp_path):
    (folder / f"{NAME}.ipynb").write_text(notebook_text())
    (folder / "numpy.py").write_text("raise SystemExit")
    (folder / "data").mkdir()
    (folder / "gradebook.db").symlink_to(tmp_path / "secret")
    (folder / "secret").write_text("the instructor's")
    os.mkfifo(folder / "pipe")
    (folder / "timestamp.txt").write_text("not a time")
    open(folder / "submission_secret.txt", "wb").truncate(intake.MAX_SECRET_BYTES + 1)
    received = intake.inspect(folder, [NAME])
    assert list(received.taken) == [f"{NAME}.ipynb"]
    reasons = dict(received.ignored)
    assert set(reasons) == {"numpy.py", "data", "gradebook.db", "secret", "pipe", "timestamp.txt",
                            "submission_secret.txt"}
    assert reasons["timestamp.txt"] == "is not a valid time"
    summary = received.summary([NAME])
    assert summary.startswith("ignored: data, gradebook.db, numpy.py, pipe, secret, submission_secret.txt (is larger "
                              "than 1 kB), timestamp.txt (is not a valid time)")


@pytest.mark.parametrize("make, reason", [
    (lambda p, t: p.symlink_to(t / "elsewhere.ipynb"), "is a symbolic link"),
    (lambda p, t: os.mkfifo(p), "is not a regular file"),
    (lambda p, t: p.write_text("{ not json"), "is not a notebook nbformat can read"),
    (lambda p, t: p.write_bytes(b"\xff\xfe\x00"), "is not a notebook file"),
    (lambda p, t: p.write_text('{"nbformat": 5, "nbformat_minor": 99, "cells": [], "metadata": {}}'), "is not a"),
    (lambda p, t: open(p, "wb").truncate(intake.MAX_NOTEBOOK_BYTES + 1), "is larger than"),
], ids=["link", "fifo", "json", "bytes", "nbformat", "huge"])
def test_a_notebook_that_cannot_be_graded_is_not_taken(folder, tmp_path, make, reason):
    (tmp_path / "elsewhere.ipynb").write_text(notebook_text())
    make(folder / f"{NAME}.ipynb", tmp_path)
    received = intake.inspect(folder, [NAME])
    assert received.taken == {}
    assert dict(received.ignored)[f"{NAME}.ipynb"].startswith(reason)
    assert received.summary([NAME]).startswith(f"not graded: {NAME}.ipynb {reason}")


def test_a_folder_that_is_a_link_is_not_a_submission(tmp_path, folder):
    (folder / f"{NAME}.ipynb").write_text(notebook_text())
    (tmp_path / "submitted" / "thief").mkdir()
    (tmp_path / "submitted" / "thief" / NAME).symlink_to(folder)
    (tmp_path / "submitted" / "thief2").symlink_to(tmp_path / "submitted" / "ann")
    for path in [tmp_path / "submitted" / "thief" / NAME, tmp_path / "submitted" / "thief2" / NAME]:
        assert intake.inspect(path, [NAME]).taken == {}


def test_audit_tells_the_course_from_the_python_installation():
    """The virtual environment may sit inside the course directory: imports are not reaching out."""
    audit = Audit(None, "/home/student", ["/course/.venv", "/course/convstep", "/usr"])
    assert not audit.outside("/course/.venv/lib/python3.11/site-packages/numpy/__init__.py")
    assert not audit.outside("data.txt") and not audit.outside("/tmp/scratch.npy")
    assert audit.outside("../../../gradebook.db") and audit.outside("/course/source/01/01.ipynb")
    assert audit.outside("01.ipynb") and audit.outside("/etc/passwd")
