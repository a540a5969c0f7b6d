"""What grading a notebook left besides its scores: one small JSON file beside the graded notebook.

Written by ``SandboxedExecute`` (notes on cells, audit events, peak memory, time) and the intake
(files of the submission that were not taken), read by the score table and the integrity report.
The file name starts with a dot so that ``CourseDirectory.ignore`` keeps it out of the feedback.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE_NAME = ".convstep-grading.json"


@dataclass
class Note:
    """Something that happened to one cell: ``kind`` is one of KINDS."""

    cell: int
    kind: str
    detail: str = ""


# kind -> how the score table says it
KINDS = {
    "timeout": "timed out",
    "died": "kernel died",
    "hung": "kernel hung",
    "flood": "output flood truncated",
    "budget": "notebook time limit reached",
    "not_run": "not run",
    "hostile": "kernel forged messages",
}


@dataclass
class GradingRecord:
    notes: list = field(default_factory=list)       # [Note]
    events: list = field(default_factory=list)      # audit records: event, category, detail, cell, line
    ignored: list = field(default_factory=list)     # [[file name, why]] of the submission, not taken
    restarts: int = 0
    peak_memory: int | None = None                  # bytes, the most the sandbox held at once
    seconds: float = 0.0

    def note(self, cell, kind, detail=""):
        assert kind in KINDS, kind
        self.notes.append(Note(cell, kind, detail))

    def save(self, folder):
        """Write the record atomically: a reader sees the old file or the new one, never half."""
        path = Path(folder) / FILE_NAME
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=1))
        os.replace(partial, path)

    @classmethod
    def load(cls, folder):
        """The record in ``folder``, or None if there is none (or it is not ours)."""
        try:
            data = json.loads((Path(folder) / FILE_NAME).read_text())
            data["notes"] = [Note(**note) for note in data["notes"]]
            return cls(**data)
        except (OSError, ValueError, TypeError, KeyError):
            return None
