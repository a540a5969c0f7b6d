"""What a graded class looks like: scores from the gradebook, notes from the grading records and
the intake, the integrity findings, as tables and CSV files. Nothing here prints: the CLI does."""

import csv
from collections import Counter

import nbformat

from convstep import integrity, notebooks
from convstep.grading import intake
from convstep.grading.record import KINDS, GradingRecord

INTEGRITY_FIELDS = ["student", "assignment", "cell", "line", "category", "detail", "seen"]


def table(header, rows):
    """Plain-text columns, the header underlined."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


# ---------------------------------------------------------------- scores and notes

def scores(course, students):
    """{(student, assignment): (score, max_score)} for every graded submission."""
    from nbgrader.api import MissingEntry

    found = {}
    with course.gradebook() as gb:
        for student in students:
            for assignment in course.assignments():
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    continue
                found[student, assignment] = (sub.score, sub.max_score)
    return found


def cell_scores(course, student, assignment):
    """{grade cell id: (score, max)} for one graded notebook."""
    with course.gradebook() as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score) for g in nb.grades}


def notes(course, student, assignment):
    """What the score table says besides the score: what the intake did not take, cells cut off
    by the time limits, kernels that died, output that was dropped."""
    folder = course.submitted / student / assignment
    if folder.parent.is_symlink() or folder.is_symlink():
        return "not a submission: the folder is a symbolic link"
    if not folder.is_dir():
        return "no notebook submitted"
    remarks = [intake.inspect(folder, [assignment]).summary([assignment])]
    path = course.notebook(course.autograded / student, assignment)
    record = GradingRecord.load(path.parent)
    if path.exists() and record:
        cells = notebooks.read(path).cells
        remarks += [f"{KINDS[note.kind]} in {notebooks.label(cells, note.cell)}" for note in record.notes]
    elif not remarks[0]:
        remarks.append("not graded: see the nbgrader output")
    return "; ".join(dict.fromkeys(r for r in remarks if r))


def score_table(course, students, assignments=None):
    """Student x assignment table of 'score / max', with totals and notes."""
    found = scores(course, students)
    names = assignments or course.assignments()
    rows = []
    for student in students:
        cells, total, total_max, remarks = [], 0.0, 0.0, []
        for assignment in names:
            score, maximum = found.get((student, assignment), (None, None))
            cells.append("missing" if score is None else f"{score:g} / {maximum:g}")
            total += score or 0
            total_max += maximum or 0
            remark = notes(course, student, assignment)
            if remark:
                remarks.append(f"{assignment[:2]} {remark}")
        rows.append([student] + cells + [f"{total:g} / {total_max:g}", "; ".join(remarks)])
    return table(["student"] + [a.replace("_", " ", 1) for a in names] + ["total", "notes"], rows)


def owner(functions, test_id):
    """The function a test cell checks: test cells are named test_<function>_<aspect>."""
    matches = [f for f in functions if test_id.startswith(f"test_{f}_")]
    return max(matches, key=len) if matches else None


def function_points(course):
    """{function: points of its test cells}, from the source notebooks, in teaching order."""
    functions = list(course.solutions())
    points = dict.fromkeys(functions, 0.0)
    for assignment in course.assignments():
        for cell in notebooks.read(course.notebook(course.source, assignment)).cells:
            function = owner(functions, notebooks.grade_id(cell) or "") if notebooks.is_test(cell) else None
            if function:
                points[function] += float(cell.metadata.nbgrader["points"])
    return points


def write_function_grades(course, students, path):
    """One row per student and one column per function ("conv_forward (10)": its points out of
    those of its test cells), as instructors import grades into an LMS. A function whose notebook
    was not graded is left empty."""
    from nbgrader.api import MissingEntry

    maxima = function_points(course)
    rows = []
    with course.gradebook() as gb:
        for student in students:
            earned = {}
            for assignment in course.assignments():
                try:
                    graded = gb.find_submission_notebook(assignment, assignment, student)
                except MissingEntry:
                    continue
                for grade in graded.grades:
                    function = owner(maxima, grade.name)
                    if function:
                        earned[function] = earned.get(function, 0.0) + (grade.score or 0)
            rows.append([student] + [f"{earned[f]:g}" if f in earned else "" for f in maxima]
                        + [f"{sum(earned.values()):g}"])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *(f"{f} ({m:g})" for f, m in maxima.items()), f"total ({sum(maxima.values()):g})"])
        writer.writerows(rows)
    return rows


# ---------------------------------------------------------------- integrity

def student_cells(course, student, assignment):
    """(label, code) for each cell the student wrote: solutions, edited and added cells, read
    through the intake (the submission is never opened otherwise). None if there is no notebook.

    Locked cells are replaced by nbgrader before grading, and cells left exactly as released are
    the instructor's code, so neither is the student's."""
    name = f"{assignment}.ipynb"
    data = intake.inspect(course.submitted / student / assignment, [assignment]).taken.get(name)
    if data is None:
        return None
    released = notebooks.read(course.notebook(course.release, assignment)).cells
    locked = {notebooks.grade_id(c) for c in released if notebooks.is_locked(c)}
    untouched = {c.source for c in released if c.cell_type == "code" and not notebooks.is_solution(c)}
    cells = nbformat.reads(data.decode(), as_version=4).cells
    return [(notebooks.label(cells, i), c.source) for i, c in enumerate(cells)
            if c.cell_type == "code" and notebooks.grade_id(c) not in locked and c.source not in untouched]


def findings(course, student, assignment):
    """Rows of the integrity report for one submission: what its code tries ("code") and what the
    sandbox saw it do ("run"), with cell and line."""
    released = notebooks.read(course.notebook(course.release, assignment)).cells
    provided = set().union(*(notebooks.defined_functions(c.source) for c in released if c.cell_type == "code"
                             and notebooks.is_locked(c) and not notebooks.is_grade(c)))
    rows = [{"cell": label, "line": line or "", "category": category, "detail": detail, "seen": "code"}
            for label, code in student_cells(course, student, assignment) or []
            for line, category, detail in integrity.scan_code(code, provided)]
    record = GradingRecord.load(course.autograded / student / assignment)
    graded = course.notebook(course.autograded / student, assignment)
    if record and graded.exists():
        cells = notebooks.read(graded).cells
        for event in record.events:
            index = event.get("cell")
            detail = event.get("detail") or ""
            if event.get("event") and event.get("category") != "tampering":
                detail = f"{event['event']}({detail})"
            rows.append({"cell": notebooks.label(cells, index) if isinstance(index, int) else "?",
                         "line": event.get("line") or "", "category": event.get("category", "?"),
                         "detail": detail, "seen": "run"})
    # The same event from the same line (a loop) is one finding, with how often it happened.
    unique = []
    for key, count in Counter(tuple(row.items()) for row in rows).items():
        row = dict(key, student=student, assignment=assignment)
        if count > 1:
            row["detail"] += f" (x{count})"
        unique.append(row)
    return unique


def integrity_rows(course, students):
    return [row for student in students for assignment in course.assignments()
            if (course.submitted / student / assignment).exists()
            for row in findings(course, student, assignment)]


def integrity_table(rows):
    if not rows:
        return "No integrity findings."
    submissions = len({(r["student"], r["assignment"]) for r in rows})
    body = [[r["student"], r["assignment"][:2], f"{r['cell']}" + (f", line {r['line']}" if r["line"] != "" else ""),
             r["category"], r["detail"][:90], r["seen"]] for r in rows]
    return f"{len(rows)} integrity findings in {submissions} submissions:\n" + \
        table(["student", "nb", "where", "category", "detail", "seen"], body)


def write_csv(path, fields, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def summary(course, students):
    """The score table and the integrity report (written to integrity.csv too), as text."""
    rows = integrity_rows(course, students)
    write_csv(course.integrity_csv, INTEGRITY_FIELDS, rows)
    return score_table(course, students) + "\n\n" + integrity_table(rows)
