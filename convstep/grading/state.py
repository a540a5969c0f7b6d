"""Which submissions are graded: graded means graded in the gradebook in use, against the
assignment as that gradebook holds it now.

When ``convstep autograde`` has graded a submission, a small state file goes beside the graded
notebook (``autograded/<student>/<assignment>/.convstep-done.json``) with three facts:

- ``submission``: a hash of what grading took from the submission folder (its notebook and time);
- ``version``: a hash of the assignment in the gradebook (nbgrader's checksum of every cell, the
  points of every test cell, the due date), so a fixed test, changed points or a new due date
  regrade every submission of it;
- ``record``: the gradebook's id of the graded submission, so a new or recreated gradebook, another
  database in ``nbgrader_config.py`` or an assignment removed and added again regrade it.

A submission is up to date only when all three still hold and the gradebook has a score for every
test cell of it. When grading fails, the same file holds nbgrader's reason instead.
"""

import hashlib
import json
import os
from pathlib import Path

from nbgrader.api import Assignment, Grade, MissingEntry, SubmittedAssignment, SubmittedNotebook
from sqlalchemy import and_, case, func

from convstep.grading import intake

FILE_NAME = ".convstep-done.json"


def path(root, assignment, student):
    return Path(root) / "autograded" / student / assignment / FILE_NAME


def read(root, assignment, student):
    """What the state file says ({} if there is none, or it is not ours)."""
    try:
        found = json.loads(path(root, assignment, student).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write(root, assignment, student, **facts):
    """Written last, atomically, by whoever graded the submission."""
    target = path(root, assignment, student)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(facts))
    os.replace(partial, target)


def fingerprint(course, assignment, student):
    """A hash of what grading takes from the submission (its notebook and timestamp), or None and
    why not when there is nothing nbgrader could grade."""
    received = intake.inspect(course.submitted / student / assignment, [assignment])
    name, ignored = f"{assignment}.ipynb", dict(received.ignored)
    if name in ignored:
        return None, f"{name} {ignored[name]}"
    if assignment in ignored:
        return None, f"the folder {student}/{assignment} {ignored[assignment]}"
    if name not in received.taken:
        return None, f"no {name} in the folder"
    digest = hashlib.sha256()
    for name in sorted(received.taken):
        digest.update(name.encode() + b"\0" + received.taken[name] + b"\0")
    return digest.hexdigest(), ""


def version(gb, assignment):
    """A hash of the assignment as the gradebook holds it, or None if it does not hold it."""
    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        return None
    digest = hashlib.sha256(f"due {found.duedate}\n".encode())
    for notebook in found.notebooks:
        cells = [f"{c.name}:{c.checksum}" for c in notebook.source_cells]
        cells += [f"{c.name}={c.max_score:g}" for c in notebook.grade_cells]
        digest.update(f"{notebook.name}\n{sorted(cells)}\n".encode())
    return digest.hexdigest()


def records(gb, assignment, student=None):
    """{student: id of the submission record} for each submission of ``assignment`` the gradebook
    holds with a score for every test cell (a grading that stopped half-way leaves some unscored)."""
    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        return {}
    tests = [c.id for nb in found.notebooks for c in nb.grade_cells
             if c.name not in {s.name for s in nb.solution_cells}]
    unscored = func.sum(case((and_(Grade.auto_score.is_(None), Grade.cell_id.in_(tests)), 1), else_=0))
    query = (gb.db.query(SubmittedAssignment.student_id, SubmittedAssignment.id, unscored)
             .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
             .outerjoin(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
             .outerjoin(Grade, Grade.notebook_id == SubmittedNotebook.id)
             .filter(Assignment.id == found.id))
    if student is not None:
        query = query.filter(SubmittedAssignment.student_id == student)
    rows = query.group_by(SubmittedAssignment.student_id, SubmittedAssignment.id).all()
    return {who: record for who, record, missing in rows if not missing}


def up_to_date(facts, digest, current_version, current_records, student):
    """Whether a submission's state file says it is graded in its current form, in this gradebook."""
    record = facts.get("record")
    return (record is not None and record == current_records.get(student)
            and facts.get("submission") == digest and facts.get("version") == current_version)
