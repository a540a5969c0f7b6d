"""Private temporary folders of a grading process: named with its process id, so that the next
grading process removes the folders of one that was killed before it could (SIGKILL, Ctrl-C twice,
a lost machine) — a sandbox's home, a private copy of every submission."""

import os
import shutil
import tempfile
from pathlib import Path


def folder(prefix):
    """A new private folder ``<tmp>/<prefix><pid>-XXXX``, after sweeping those of dead processes."""
    sweep(prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def sweep(prefix):
    """Remove the folders of ``prefix`` whose process is gone."""
    for found in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        pid = found.name.removeprefix(prefix).split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(found, ignore_errors=True)
