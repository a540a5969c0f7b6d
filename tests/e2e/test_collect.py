"""``nbgrader zip_collect`` on the submission downloads of Canvas, Moodle and Blackboard."""

import zipfile

import nbformat

ASSIGNMENT = "01_zero_padding"


def notebook_bytes(course, marker):
    nb = nbformat.read(course.notebook(course.release, ASSIGNMENT), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(marker))
    return nbformat.writes(nb).encode()


def test_zips_of_each_lms_are_collected_and_strays_are_named(tmp_path, course):
    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    archive = tmp_path / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    nb = f"{ASSIGNMENT}.ipynb"
    with zipfile.ZipFile(archive / "canvas_submissions.zip", "w") as z:
        z.writestr(f"doejane_123456_7654321_{nb}", notebook_bytes(copy, "canvas on time"))
        z.writestr(f"roefred_LATE_234567_8765432_{ASSIGNMENT}-1.ipynb", notebook_bytes(copy, "canvas late"))
    with zipfile.ZipFile(archive / "moodle_submissions.zip", "w") as z:
        z.writestr(f"Ann Lee_345678_assignsubmission_file_{nb}", notebook_bytes(copy, "moodle flat"))
        z.writestr(f"Bo Chen_456789_assignsubmission_file_/{nb}", notebook_bytes(copy, "moodle folder"))
    with zipfile.ZipFile(archive / "blackboard_submissions.zip", "w") as z:
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-11-30-14-05-09_{nb}", notebook_bytes(copy, "blackboard"))
        z.writestr(f"{ASSIGNMENT}_jdoe_attempt_2026-11-30-14-05-09.txt", "Name: J Doe (jdoe)\n")
        z.writestr("my homework final.ipynb", notebook_bytes(copy, "stray"))
    result = copy.nbgrader("zip_collect", ASSIGNMENT, check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]

    expected = {"123456": "canvas on time", "234567": "canvas late", "345678": "moodle flat",
                "456789": "moodle folder", "jdoe": "blackboard"}
    for student, marker in expected.items():
        collected = copy.submitted / student / ASSIGNMENT / nb
        assert marker in collected.read_text(), student
    timestamp = (copy.submitted / "jdoe" / ASSIGNMENT / "timestamp.txt").read_text()
    assert timestamp.startswith("2026-11-30 14:05:09"), timestamp
    assert sorted(p.name for p in copy.submitted.iterdir()) == sorted(expected)
    assert "my homework final.ipynb" in log and "matches no Canvas, Moodle or Blackboard pattern" in log
    assert "5 files collected, 2 files skipped" in log  # the stray and the receipt, each named above


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
