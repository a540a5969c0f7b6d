"""End to end through the real nbgrader: release, sample class, autograde, feedback, CSV, table.

Runs in a temporary copy of the course so that the repository's own gradebook is never touched.
"""

import csv

import pytest

from convstep import report
from convstep.samples import SAMPLE_STUDENTS

@pytest.fixture(scope="module")
def graded(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("course")
    copy = course.copy_to(root)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write("\nc.SandboxedExecute.timeout = 5  # the looping student is cut off sooner\n")
    copy.demo()
    return copy


def test_complete_submission_gets_full_marks(graded):
    for assignment in graded.assignments():
        score, maximum = report.scores(graded, ["complete"])["complete", assignment]
        assert score == maximum > 0, (assignment, score, maximum)


def test_blank_submission_gets_zero(graded):
    for assignment in graded.assignments():
        cells = report.cell_scores(graded, "blank", assignment)
        assert all(score == 0 for score, _ in cells.values()), (assignment, cells)


def test_mistakes_lose_exactly_what_their_bugs_deserve(graded):
    cells = {cell: points for assignment in graded.assignments()
             for cell, points in report.cell_scores(graded, "mistakes", assignment).items()}
    lost = {cell for cell, (score, maximum) in cells.items() if score != maximum}
    assert lost == SAMPLE_STUDENTS["mistakes"]["loses"]
    assert all(score in (0, maximum) for score, maximum in cells.values())


def test_infinite_loop_is_cut_off_and_still_graded(graded):
    assert report.notes(graded, "looping", "02_conv_forward") == "timed out in conv_forward"
    cells = report.cell_scores(graded, "looping", "02_conv_forward")
    # The loop kept conv_forward from being defined: its tests fail, conv_single_step's pass.
    assert {c for c, (s, m) in cells.items() if s == m} == {
        "test_conv_single_step_visible", "test_conv_single_step_scalar", "test_conv_single_step_values"}
    for assignment in ["01_zero_padding", "03_pool_forward", "04_backprop"]:
        score, maximum = report.scores(graded, ["looping"])["looping", assignment]
        assert score == maximum


def test_feedback_and_grades_csv(graded):
    rows = list(csv.DictReader(graded.grades_csv.open()))
    assert {(r["student_id"], r["assignment"]) for r in rows} == \
        {(s, a) for s in SAMPLE_STUDENTS for a in graded.assignments()}
    totals = {}
    for row in rows:
        totals[row["student_id"]] = totals.get(row["student_id"], 0) + float(row["score"])
    assert totals == {"complete": 108, "blank": 0, "mistakes": 98, "looping": 98}
    scores = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"])) for r in rows}
    for (student, assignment), (score, maximum) in scores.items():
        html = (graded.feedback / student / assignment / f"{assignment}.html").read_text()
        assert f"{assignment} (Score: {score:g} / {maximum:g})" in html, (student, assignment)
    html = (graded.feedback / "mistakes" / "04_backprop" / "04_backprop.html").read_text()
    assert "with pad = 0" in html, "the feedback shows the hint for the [pad:-pad] mistake"


def test_honest_sample_class_has_no_integrity_findings(graded):
    assert report.integrity_rows(graded, sorted(SAMPLE_STUDENTS)) == []
    assert graded.integrity_csv.read_text().strip() == ",".join(report.INTEGRITY_FIELDS)


def test_summary_table(graded):
    table = report.score_table(graded, sorted(SAMPLE_STUDENTS))
    lines = {line.split()[0]: line for line in table.splitlines()[2:]}
    assert "108 / 108" in lines["complete"] and "0 / 108" in lines["blank"]
    assert "98 / 108" in lines["mistakes"] and "timed out in conv_forward" in lines["looping"]
