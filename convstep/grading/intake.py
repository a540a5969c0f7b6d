"""What grading takes from a submission folder: its notebooks, as plain files, and nothing else.

A submission folder is data written by a student. Only regular files named like the assignment's
notebooks (and nbgrader's own ``timestamp.txt`` and ``submission_secret.txt``) are taken, read
without following a symbolic link, size-capped and checked to be notebooks nbgrader can grade. Everything else — extra files (a
``numpy.py`` that would shadow numpy), links, folders, pipes, devices, oversized or unreadable
notebooks — is left where it is, listed with the reason, and never opened.
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_TIMESTAMP_BYTES = 1024
TIMESTAMP = "timestamp.txt"
# nbgrader's exchange writes it on submit; release_feedback names the feedback it sends back from it.
SECRET = "submission_secret.txt"
MAX_SECRET_BYTES = 1024
NOT_GRADED = "is not part of the assignment (only the notebook is graded)"


@dataclass
class Intake:
    taken: dict = field(default_factory=dict)    # file name -> its bytes
    ignored: list = field(default_factory=list)  # [file name, why (a verb phrase)], in name order

    def summary(self, notebooks):
        """What the score table says about this intake: a notebook not taken, and files ignored."""
        remarks = []
        for name in notebooks:
            why = dict(self.ignored).get(f"{name}.ipynb")
            if f"{name}.ipynb" not in self.taken:
                remarks.append(f"not graded: {name}.ipynb {why}" if why else "no notebook submitted")
        others = [name if why == NOT_GRADED else f"{name} ({why})" for name, why in self.ignored
                  if not any(name == f"{nb}.ipynb" for nb in notebooks)]
        if others:
            remarks.append("ignored: " + ", ".join(others))
        return "; ".join(remarks)


def _read_regular(path, limit):
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else (None, why).
    Opened without following a link and without blocking on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        return None, "is a symbolic link" if os.path.islink(path) else f"cannot be opened ({error.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file"
        if info.st_size > limit:
            return None, f"is larger than {limit // 1024} kB"
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)[:limit], None
    finally:
        os.close(fd)


def notebook_problem(data):
    """Why these bytes are not a notebook nbgrader can read (a verb phrase), or None. Its nbgrader
    metadata is not judged here: the gradebook decides it (``convstep.grading.sanitize``)."""
    try:
        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"is not a notebook file ({type(error).__name__}: {str(error)[:80]})"
    except nbformat.ValidationError as error:
        return f"is not a valid notebook ({str(error).splitlines()[0][:100]})"
    except Exception as error:  # nbformat raises several types for unknown versions and shapes
        return f"is not a notebook nbformat can read ({type(error).__name__}: {str(error)[:80]})"
    return None


def inspect(folder, notebooks):
    """What to take from the submission ``folder`` of an assignment with these notebook names."""
    intake = Intake()
    folder = Path(folder)
    if folder.is_symlink() or folder.parent.is_symlink() or not folder.is_dir():
        intake.ignored.append([folder.name, "is not a folder of its own (a symbolic link, or missing)"])
        return intake
    wanted = {f"{name}.ipynb" for name in notebooks}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name in wanted:
            data, why = _read_regular(entry.path, MAX_NOTEBOOK_BYTES)
            why = why or notebook_problem(data)
        elif entry.name == TIMESTAMP:
            data, why = _read_regular(entry.path, MAX_TIMESTAMP_BYTES)
            if why is None:
                try:
                    parse_utc(data.decode().strip())
                except (UnicodeDecodeError, ValueError):
                    why = "is not a valid time"
        elif entry.name == SECRET:
            data, why = _read_regular(entry.path, MAX_SECRET_BYTES)
        else:
            data, why = None, NOT_GRADED
        if why:
            intake.ignored.append([entry.name, why])
        else:
            intake.taken[entry.name] = data
    return intake


def take(intake, target):
    """Write what was taken into ``target`` (a private folder the grader reads instead)."""
    target.mkdir(parents=True, exist_ok=True)
    for name, data in intake.taken.items():
        (target / name).write_bytes(data)
