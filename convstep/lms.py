"""Grades out to an LMS, in the files each one imports, from the gradebook in use.

- ``lms/canvas.csv``: Canvas's gradebook import (Grades > Import): the columns Student, ID, SIS User
  ID, SIS Login ID, Section, then one column per assignment, a "Points Possible" row, and Final
  Points (a total Canvas reads as its own, read-only). Canvas finds the student by ID (the user id of
  its download's file names) and the assignment by the id in "name (id)" (``CanvasGrades.assignment_ids``
  in nbgrader_config.py), else by its title, else it creates one. A submission that is not graded
  is an empty cell, which Canvas leaves as it is.
- ``lms/moodle_<assignment>.csv``: Moodle's grading worksheet of the assignment (Assignment >
  Upload grading worksheet, with the "Offline grading worksheet" feedback type on): Identifier
  ("Participant 123456", the id of its download's file names, which Moodle numbers per
  assignment), Full name, Email address, Grade, Maximum Grade, the times, one row per submission.

Scores are nbgrader's, after any late penalty; totals count an assignment not submitted as 0.
"""

import csv
import time

from traitlets import Dict, Int, Unicode
from traitlets.config import Configurable

from convstep import report

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                  "Last modified (submission)", "Last modified (grade)"]


class CanvasGrades(Configurable):
    assignment_ids = Dict(key_trait=Unicode(), value_trait=Int(), help=(
        "{assignment: the id of its Canvas assignment} (the number in its Canvas address), so that "
        "Canvas's import updates that assignment")).tag(config=True)


def roster(course):
    """[(student id, name as LMSs show it, email)] of every student the gradebook holds."""
    with course.gradebook() as gb:
        return [(s.id, ", ".join(n for n in (s.last_name, s.first_name) if n) or s.id, s.email or "")
                for s in gb.students]


def write_canvas(course, path):
    """Canvas's gradebook import file; returns its rows."""
    points = report.released(course)
    ids = CanvasGrades(config=course.config()).assignment_ids
    students = roster(course)
    found = report.submissions(course, [student for student, _, _ in students])
    header = CANVAS_STUDENT_COLUMNS + [f"{a} ({ids[a]})" if a in ids else a for a in points] + ["Final Points"]
    rows = [["Points Possible", "", "", "", ""] + [f"{p:g}" for p in points.values()] + [f"{sum(points.values()):g}"]]
    for student, name, _ in students:
        scores = [found.get((student, a)) for a in points]
        rows.append([name, student, "", "", ""] + ["" if s is None else f"{s.score:g}" for s in scores]
                    + [f"{sum(s.score for s in scores if s):g}"])
    write(path, header, rows)
    return rows


def write_moodle(course, assignment, path):
    """Moodle's grading worksheet of ``assignment``; returns its rows."""
    students = roster(course)
    found = report.submissions(course, [student for student, _, _ in students])
    graded = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    rows = [[f"Participant {student}", name, email, f"{sub.score:g}", f"{sub.max_score:g}",
             f"{sub.timestamp:%Y-%m-%d %H:%M:%S} UTC" if sub.timestamp else "-", graded]
            for student, name, email in students
            for sub in [found.get((student, assignment))] if sub is not None]
    write(path, MOODLE_COLUMNS, rows)
    return rows


def write(path, header, rows):
    path.parent.mkdir(exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_all(course):
    """Every LMS file, into lms/ of the course directory."""
    folder = course.root / "lms"
    write_canvas(course, folder / "canvas.csv")
    for assignment in report.released(course):
        write_moodle(course, assignment, folder / f"moodle_{assignment}.csv")
