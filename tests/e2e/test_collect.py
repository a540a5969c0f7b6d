"""LMSs in and out: ``nbgrader zip_collect`` on the downloads of Canvas, Moodle 3 and 4 and
Blackboard (resubmissions, late flags, times), then the class graded and its grades written in the
files Canvas's and Moodle's imports read."""

import csv
import zipfile

import nbformat
import pytest

ASSIGNMENT = "01_zero_padding"
NB = f"{ASSIGNMENT}.ipynb"
# Moodle's grading worksheet ("Download grading worksheet"): its times are the submissions'.
WORKSHEET = """Identifier,"Full name","Email address",Status,Grade,"Maximum Grade","Grade can be changed",\
"Last modified (submission)","Last modified (grade)","Feedback comments"
"Participant 345678","Ann Lee",ann@example.org,"Submitted for grading",,3.00,Yes,"Monday, 30 November 2026, 2:05 PM",-,
"Participant 567890","Cy Dee",cy@example.org,"No submission",,3.00,Yes,-,-,
"""
EXPECTED = {"123456": "canvas re-upload", "234567": "canvas late", "345678": "moodle flat",
            "456789": "moodle 3 folder", "567890": "moodle 4 folder", "678901": "moodle 4 subfolder",
            "jdoe": "blackboard second attempt"}


def notebook_bytes(course, marker, solved=False):
    nb = nbformat.read(course.notebook(course.release, ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if solved and cell.metadata.get("nbgrader", {}).get("grade_id") == "zero_pad":
            cell.source = course.solutions()["zero_pad"]
    nb.cells.append(nbformat.v4.new_markdown_cell(marker))
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def collected(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("lms")
    copy = course.copy_to(root)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CanvasGrades.assignment_ids = {{{ASSIGNMENT!r}: 4242}}\n")
    copy.build_release([ASSIGNMENT, "02_conv_forward"])
    archive = root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    nb = lambda marker, solved=True: notebook_bytes(copy, marker, solved)
    with zipfile.ZipFile(archive / "canvas_submissions.zip", "w") as z:
        z.writestr(f"doejane_123456_7654321_{NB}", nb("canvas first upload", solved=False))
        z.writestr(f"doejane_123456_7654400_{ASSIGNMENT}-1.ipynb", nb("canvas re-upload"))
        z.writestr(f"roefred_LATE_234567_8765432_{ASSIGNMENT}-1.ipynb", nb("canvas late"))
    with zipfile.ZipFile(archive / "moodle_submissions.zip", "w") as z:
        z.writestr(f"Ann Lee_345678_assignsubmission_file_{NB}", nb("moodle flat"))
        z.writestr(f"Bo Chen_456789_assignsubmission_file_/{NB}", nb("moodle 3 folder"))
        z.writestr(f"Cy Dee_567890_assignsubmission_file/{NB}", nb("moodle 4 folder", solved=False))
        z.writestr(f"Di Eve_678901_assignsubmission_file/work/{NB}", nb("moodle 4 subfolder"))
        z.writestr("Di Eve_678901_assignsubmission_onlinetext/onlinetext.html", "<p>see my notebook</p>")
    (archive / "grading worksheet.csv").write_text(WORKSHEET)
    with zipfile.ZipFile(archive / "blackboard_submissions.zip", "w") as z:
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-11-30-14-05-09_{NB}", nb("blackboard first attempt"))
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-11-30-14-05-09.txt", "Name: J Doe (jdoe)\n")
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-12-01-09-00-00_{NB}", nb("blackboard second attempt"))
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-12-01-09-00-00.txt", "Name: J Doe (jdoe)\n")
        z.writestr("my homework final.ipynb", nb("stray"))
    result = copy.nbgrader("zip_collect", ASSIGNMENT, check=False)
    return copy, result.returncode, result.stdout + result.stderr


def test_every_lms_layout_is_collected_the_latest_kept_and_strays_named(collected):
    copy, returncode, log = collected
    assert returncode == 0, log[-3000:]  # resubmissions do not stop the collection
    for student, marker in EXPECTED.items():
        assert marker in (copy.submitted / student / ASSIGNMENT / NB).read_text(), student
    assert sorted(p.name for p in copy.submitted.iterdir()) == sorted(EXPECTED)
    assert f"123456 submitted {NB} again, as doejane_123456_7654400_{ASSIGNMENT}-1.ipynb" in log
    assert f"jdoe submitted {NB} again, as {ASSIGNMENT}_jdoe_attempt_2026-12-01-09-00-00_{NB}" in log
    assert "my homework final.ipynb" in log and "matches no Canvas, Moodle or Blackboard pattern" in log
    assert "not collected (not a notebook)" in log and "onlinetext.html" in log
    assert "7 files collected, 7 files skipped" in log  # 2 earlier uploads, the stray, 2 receipts, html, worksheet


def test_lms_times_and_late_flags_are_kept(collected):
    copy, _, _ = collected
    timestamp = lambda student: (copy.submitted / student / ASSIGNMENT / "timestamp.txt").read_text()
    assert timestamp("jdoe").startswith("2026-12-01 09:00:00")  # Blackboard's attempt time
    assert timestamp("345678").startswith("2026-11-30 14:05:00")  # Moodle's worksheet
    assert not (copy.submitted / "567890" / ASSIGNMENT / "timestamp.txt").exists()  # "-": no time given
    with open(copy.root / "downloaded" / ASSIGNMENT / "collected.csv") as handle:
        rows = {row["file"].rsplit("/", 1)[-1]: row for row in csv.DictReader(handle)}
    late = rows[f"roefred_LATE_234567_8765432_{ASSIGNMENT}-1.ipynb"]
    assert (late["lms"], late["student_id"], late["late"], late["collected"]) == ("Canvas", "234567", "LATE", "yes")
    assert rows[f"doejane_123456_7654321_{NB}"]["collected"].startswith("123456 submitted")


def test_the_graded_class_goes_out_in_canvas_and_moodle_import_formats(collected):
    copy, _, _ = collected
    run = copy.grade([ASSIGNMENT], workers=2, progress=False)
    assert not run.failed(), run.failed()
    from convstep import report

    table = {line.split()[0]: line for line in report.score_table(copy, sorted(EXPECTED)).splitlines()[2:]}
    # Totals over every assignment of the course: 02 is released, not submitted, and counts 0 of 13.
    assert table["123456"].split()[1:8] == ["3", "/", "3", "missing", "3", "/", "16"], table["123456"]
    assert "01 late (Canvas: LATE, no time given)" in table["234567"]
    assert "01 73 d 9 h late" in table["jdoe"]  # due 2026-09-18 23:59:59 UTC (nbgrader_config.py)

    # Canvas: the header its importer requires (Student, ID, SIS User ID, SIS Login ID, Section), an
    # assignment column "name (Canvas id)", the Points Possible row, the students by their Canvas ids.
    with open(copy.root / "lms" / "canvas.csv", newline="") as handle:
        header, points, *rows = list(csv.reader(handle))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{ASSIGNMENT} (4242)",
                      "02_conv_forward", "Final Points"]
    assert points == ["Points Possible", "", "", "", "", "3", "13", "16"]
    canvas = {row[1]: row[5:] for row in rows}
    assert set(canvas) == set(EXPECTED)
    assert canvas["123456"] == ["3", "", "3"] and canvas["567890"] == ["0", "", "0"]

    # Moodle: its grading worksheet (Identifier "Participant N", Grade, Last modified (grade) are what
    # its import reads), one row per submission of the assignment.
    with open(copy.root / "lms" / f"moodle_{ASSIGNMENT}.csv", newline="") as handle:
        moodle = {row["Identifier"]: row for row in csv.DictReader(handle)}
    assert set(moodle) == {f"Participant {student}" for student in EXPECTED}
    assert (moodle["Participant 345678"]["Grade"], moodle["Participant 345678"]["Maximum Grade"],
            moodle["Participant 345678"]["Last modified (submission)"]) == ("3", "3", "2026-11-30 14:05:00 UTC")
    assert moodle["Participant 567890"]["Grade"] == "0" and moodle["Participant 567890"]["Last modified (grade)"]


def test_a_corrupt_download_is_reported_and_harms_nothing(tmp_path, course):
    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    archive = tmp_path / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    (archive / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip file")
    source_before = sorted(p.read_bytes() for p in copy.source.rglob("*") if p.is_file())
    result = copy.nbgrader("zip_collect", ASSIGNMENT, check=False)
    log = result.stdout + result.stderr
    assert result.returncode != 0 and "broken.zip" in log and "Traceback" not in log[-2000:], log[-2000:]
    assert not copy.submitted.exists() or not any(copy.submitted.iterdir())
    assert sorted(p.read_bytes() for p in copy.source.rglob("*") if p.is_file()) == source_before
