"""The course directory: its assignments and solutions, the release, and nbgrader run on it.

The repository root is the nbgrader course directory. Everything here drives the real nbgrader
command line (``python -m nbgrader ...``) so that what the tests check is what instructors run.
Progress goes to the ``convstep`` logger; results are returned, for the CLI to print.
"""

import csv
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets import Dict, Unicode
from traitlets.config import Configurable

from convstep import notebooks
from convstep.bootstrap import ROOT
from convstep.grading import state

log = logging.getLogger("convstep")


def bin_on_path():
    """Put this interpreter's bin/ on PATH: nbgrader shells out to alembic, installed beside it."""
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class CourseError(RuntimeError):
    """A problem the instructor must fix; the message says what and where."""


class Schedule(Configurable):
    """The course's due dates (``c.Schedule.duedates`` in nbgrader_config.py); ``release`` writes
    them into the gradebook, where nbgrader's late-submission penalty reads them."""

    duedates = Dict(key_trait=Unicode(), value_trait=Unicode(), help=(
        "{assignment: due date}, as nbgrader reads times: '2026-09-25 23:59:59 Europe/Paris' (a time "
        "zone name or a numeric offset; UTC if none)")).tag(config=True)


@dataclass
class GradingRun:
    """What ``Course.grade`` did: an Outcome per submission considered, the students of those, and
    where the previous grades.csv was kept (and its rows that the new one lost), if it lost any."""

    outcomes: list
    students: list
    kept_grades: Path | None = None
    lost_rows: list = field(default_factory=list)

    def count(self, status):
        return sum(outcome.status == status for outcome in self.outcomes)

    def failed(self):
        from convstep.grading.parallel import FAILED

        return [outcome for outcome in self.outcomes if outcome.status == FAILED]


class Course:
    """An nbgrader course directory: source/, release/, submitted/, autograded/, feedback/."""

    def __init__(self, root=ROOT, sandbox=True):
        self.root = Path(root)
        self.sandbox = sandbox  # False is the explicit opt-out of safe grading
        self.source = self.root / "source"
        self.release = self.root / "release"
        self.submitted = self.root / "submitted"
        self.autograded = self.root / "autograded"
        self.feedback = self.root / "feedback"
        self.grades_csv = self.root / "grades.csv"
        self.integrity_csv = self.root / "integrity.csv"

    def copy_to(self, root):
        """A fresh course directory at ``root`` with this course's source/ and configuration:
        for trial runs that must not touch the real gradebook."""
        shutil.copytree(self.source, Path(root) / "source")
        shutil.copy(self.root / "nbgrader_config.py", root)
        return Course(root, sandbox=self.sandbox)

    # ------------------------------------------------------------ structure

    def assignments(self):
        """Assignment names in teaching order: the folders of source/ named NN_topic."""
        names = sorted(p.name for p in self.source.iterdir() if p.is_dir() and re.match(r"\d\d_", p.name)) \
            if self.source.is_dir() else []
        if not names:
            raise CourseError(f"no assignments found in {self.source} (expected folders like 01_zero_padding)")
        return names

    def notebook(self, folder, assignment):
        """Path of an assignment's notebook under source/, release/, submitted/<student>/, ..."""
        return Path(folder) / assignment / f"{assignment}.ipynb"

    def config(self):
        from traitlets.config.loader import PyFileConfigLoader

        if not (self.root / "nbgrader_config.py").is_file():
            raise CourseError(f"{self.root} is not a course directory: it has no nbgrader_config.py (run the "
                              "command in the course directory, the one holding nbgrader_config.py, or pass "
                              "--course DIR)")
        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    def db_url(self):
        """The gradebook's URL: ``CourseDirectory.db_url`` if the configuration sets one, else the
        SQLite file nbgrader uses by default."""
        url = self.config().CourseDirectory.get("db_url")
        return url if isinstance(url, str) else f"sqlite:///{self.root / 'gradebook.db'}"

    def gradebook_name(self):
        """The gradebook in use, as messages name it: its URL without a password."""
        from sqlalchemy.engine import make_url

        return make_url(self.db_url()).render_as_string(hide_password=True)

    def duedates(self):
        """{assignment: due date (naive UTC, as nbgrader stores it)} from nbgrader_config.py."""
        from nbgrader.utils import parse_utc

        dates = {}
        for assignment, text in Schedule(config=self.config()).duedates.items():
            try:
                dates[assignment] = parse_utc(text)
            except (ValueError, OverflowError) as error:
                raise CourseError(f"nbgrader_config.py: the due date of {assignment} ({text!r}) is not a time "
                                  f"nbgrader reads ({error}); write it like '2026-09-25 23:59:59 UTC'") from None
        return dates

    def gradebook(self):
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import OperationalError

        bin_on_path()
        try:
            return Gradebook(self.db_url(), course_id=self.config().CourseDirectory.course_id)
        except OperationalError as error:
            raise CourseError(f"cannot open the gradebook {self.gradebook_name()} (CourseDirectory.db_url in "
                              f"nbgrader_config.py): {str(error.orig).strip()}") from None

    def solutions(self):
        """{cell id: solution code} for every solution cell of the series, in teaching order."""
        found = {}
        for assignment in self.assignments():
            for cell in self._read(self.notebook(self.source, assignment)).cells:
                if notebooks.is_solution(cell) and cell.cell_type == "code":
                    if notebooks.grade_id(cell) in found:
                        raise CourseError(f"solution cell '{notebooks.grade_id(cell)}' is defined twice "
                                          f"(again in {assignment})")
                    found[notebooks.grade_id(cell)] = notebooks.solution_code(cell)
        return found

    def _read(self, path):
        try:
            return notebooks.read(path)
        except notebooks.NotebookError as error:
            raise CourseError(str(error)) from None

    def sync_provided(self, write=True):
        """Make every read-only ``provided_<name>`` cell equal to the solution of ``<name>``.

        Later notebooks receive earlier functions as provided code; this keeps one source of truth.
        Returns the "assignment: cell" entries that were (or, with write=False, would be) changed.
        """
        known = self.solutions()
        changed = []
        for assignment in self.assignments():
            path = self.notebook(self.source, assignment)
            nb = self._read(path)
            dirty = False
            for cell in nb.cells:
                cell_id = notebooks.grade_id(cell) or ""
                if not cell_id.startswith("provided_"):
                    continue
                name = cell_id.removeprefix("provided_")
                if name not in known:
                    raise CourseError(f"{assignment}: cell '{cell_id}' provides '{name}', "
                                      "but no notebook has a solution cell with that id")
                if cell.source != known[name]:
                    cell.source = known[name]
                    changed.append(f"{assignment}: {cell_id}")
                    dirty = True
            if dirty and write:
                nbformat.write(nb, path)
        return changed

    # ------------------------------------------------------------ nbgrader

    def nbgrader(self, *args, check=True):
        """Run the nbgrader command line in the course directory; with ``check``, a failure raises
        CourseError with the end of nbgrader's output."""
        bin_on_path()
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, capture_output=True,
                                text=True)
        if check and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
            raise CourseError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{tail}")
        return result

    def build_release(self, assignments=None, regrade=False):
        """Sync provided cells, then ``nbgrader generate_assignment`` the assignments (all by default)
        into release/, with their due dates. With ``regrade``, an assignment whose graded cells
        changed after submissions were graded is released even so: its grades are removed from the
        gradebook, for ``grade`` to grade every submission again with the new tests."""
        unknown = sorted(set(assignments or []) - set(self.assignments()))
        if unknown:
            raise CourseError(f"no such assignment in source/: {', '.join(unknown)}")
        duedates = self.duedates()
        for entry in self.sync_provided():
            log.info("  updated provided code: %s", entry)
        for assignment in assignments or self.assignments():
            with self.gradebook() as gb:
                before, graded = state.version(gb, assignment), state.records(gb, assignment)
            self._generate(assignment, regrade)
            with self.gradebook() as gb:
                if assignment in duedates:
                    gb.update_or_create_assignment(assignment, duedate=duedates[assignment])
                after = state.version(gb, assignment)
            log.info("  release/%s/ generated%s", assignment,
                     f", due {duedates[assignment]:%Y-%m-%d %H:%M} UTC" if assignment in duedates else "")
            if graded and before not in (None, after):
                for student in graded:  # their pages show grades of the previous version
                    shutil.rmtree(self.feedback / student / assignment, ignore_errors=True)
                log.warning("  %d submissions of %s were graded against its previous version: their feedback is "
                            "removed, and `python3 -m convstep autograde %s` grades them again", len(graded),
                            assignment, assignment)

    def _generate(self, assignment, regrade):
        """``nbgrader generate_assignment`` into a staging folder; release/<assignment>/ is replaced
        only when nbgrader succeeded."""
        staging = Path(tempfile.mkdtemp(prefix=".release-", dir=self.root))
        try:
            args = ["generate_assignment", assignment, "--force", f"--CourseDirectory.release_directory={staging.name}"]
            result = self.nbgrader(*args, check=False)
            if result.returncode != 0 and "submissions associated with it" in result.stdout + result.stderr:
                if not regrade:
                    raise CourseError(self._refusal(assignment))
                removed = self.remove_grades(assignment)
                log.warning("  %s: the grades of %d submissions removed from the gradebook, to be graded again",
                            assignment, removed)
                result = self.nbgrader(*args, check=False)
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
                raise CourseError(f"nbgrader generate_assignment {assignment} failed (exit {result.returncode}); "
                                  f"release/{assignment}/ is left as it was:\n{tail}")
            shutil.rmtree(self.release / assignment, ignore_errors=True)
            self.release.mkdir(exist_ok=True)
            os.replace(staging / assignment, self.release / assignment)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _refusal(self, assignment):
        with self.gradebook() as gb:
            count = len(gb.find_assignment(assignment).submissions)
        return (f"source/{assignment} adds or removes graded cells, and the gradebook in use ({self.gradebook_name()}) "
                f"holds {count} graded submissions of it, whose grades belong to the old cells: nbgrader will not "
                f"change it, and release/{assignment}/ is left as it was. To release the new version and grade every "
                f"submission again with it, run `python3 -m convstep release {assignment} --regrade` (it removes "
                f"this assignment's grades from the gradebook, and nothing else), then `python3 -m convstep "
                f"autograde {assignment}`. If only the sample class was graded, `python3 -m convstep demo` does both.")

    def remove_grades(self, assignment):
        """Remove every submission of ``assignment`` from the gradebook (the students and their other
        assignments stay) and the feedback pages of them; returns how many there were."""
        with self.gradebook() as gb:
            students = [submission.student.id for submission in gb.find_assignment(assignment).submissions]
            for student in students:
                gb.remove_submission(assignment, student)
        for student in students:
            shutil.rmtree(self.feedback / student / assignment, ignore_errors=True)
        return len(students)

    def forget_students(self, students):
        """Remove students, their grades and their graded and feedback folders (the sample class,
        before a rerun)."""
        from nbgrader.api import MissingEntry

        for student in students:
            shutil.rmtree(self.autograded / student, ignore_errors=True)
            shutil.rmtree(self.feedback / student, ignore_errors=True)
        if self.db_url().startswith("sqlite:///") and not Path(self.db_url()[10:]).exists():
            return
        with self.gradebook() as gb:
            for student in students:
                try:
                    gb.remove_student(student)
                except MissingEntry:
                    pass

    def refuse_without_sandbox(self):
        from convstep import sandbox

        if self.sandbox:
            try:
                sandbox.require()
            except sandbox.SandboxUnavailable as error:
                raise CourseError(str(error)) from None
        else:
            log.warning("  WARNING: grading WITHOUT a sandbox: student code runs with your rights")

    def autograde(self, assignment, *options):
        """``nbgrader autograde`` for every submission of ``assignment``; returns nbgrader's output.

        A submission that cannot be graded makes nbgrader exit non-zero after grading the others;
        that is reported per student in the score table, not raised here. Only a refusal to grade
        at all (no sandbox) is an error.
        """
        args = ["autograde", assignment, "--force", *options]
        if not self.sandbox:
            args.append("--SandboxedExecute.sandbox=False")
        result = self.nbgrader(*args, check=False)
        if result.returncode != 0:
            self.refuse_without_sandbox()  # raises if that is why nbgrader stopped
        return result.stdout + result.stderr

    def grade(self, assignments, workers=None, scheduler=None, overrides=None, progress=True, students=None,
              force=False):
        """Grade every submission of ``assignments`` not yet graded in its current form in the gradebook
        in use (by the ``students`` patterns only, if given; every one with ``force``), in parallel
        (``convstep.grading.parallel``), with feedback; then write grades.csv (nbgrader's export),
        grades_by_function.csv and the LMS gradebook files. Returns a GradingRun."""
        from convstep import lms, report
        from convstep.grading import parallel

        unknown = sorted(set(assignments) - set(self.assignments()))
        if unknown:
            raise CourseError(f"no such assignment in source/: {', '.join(unknown)}")
        with self.gradebook() as gb:
            unreleased = [a for a in assignments if state.version(gb, a) is None]
        if unreleased:
            raise CourseError(f"the gradebook in use ({self.gradebook_name()}) does not hold {', '.join(unreleased)}: "
                              f"run `python3 -m convstep release {' '.join(unreleased)}` first")
        self.refuse_without_sandbox()
        overrides = dict(overrides or {})
        if not self.sandbox:
            overrides.setdefault("SandboxedExecute", {})["sandbox"] = False
        outcomes = parallel.grade_class(self, assignments, workers, scheduler, overrides, progress, students, force)
        if students and not outcomes:
            raise CourseError(f"no submission of {', '.join(assignments)} in {self.submitted} by "
                              f"{', '.join(students)}")
        kept, lost = self.export_grades()
        everyone = sorted(student for student, _, _ in lms.roster(self))  # as grades.csv: the gradebook's students
        report.write_function_grades(self, everyone, self.root / "grades_by_function.csv")
        lms.write_all(self)
        graded = sorted({outcome.student for outcome in outcomes})
        return GradingRun(outcomes, graded, kept, lost)

    def export_grades(self):
        """``nbgrader export`` into grades.csv. If the gradebook no longer holds rows the previous
        file held (another gradebook, removed students), the previous file is kept beside it and
        named: returns (that file or None, the (assignment, student) rows lost)."""
        fresh = self.root / "grades.csv.partial"
        self.nbgrader("export", "--to", str(fresh))
        rows = lambda path: {(r["assignment"], r["student_id"]) for r in csv.DictReader(path.open())} \
            if path.exists() else set()
        lost = sorted(rows(self.grades_csv) - rows(fresh))
        kept = None
        if lost:
            kept = self.root / f"grades-replaced-{time.strftime('%Y%m%d-%H%M%S')}.csv"
            shutil.copy(self.grades_csv, kept)
        os.replace(fresh, self.grades_csv)
        return kept, lost

    def submitters(self):
        """Every student with a folder in submitted/."""
        return sorted(p.name for p in self.submitted.iterdir() if p.is_dir()) if self.submitted.is_dir() else []

    def report(self, students=None):
        """The score table and the integrity report of the submissions graded so far."""
        from convstep import report

        students = students or self.submitters()
        if not students:
            raise CourseError(f"nothing to report: {self.submitted} holds no submissions")
        return report.summary(self, students)

    def demo(self):
        """The main job: release, sample class, autograde, feedback, CSV; returns the summary."""
        from convstep import samples

        start = time.monotonic()
        log.info("1/4 Building release/ from source/")
        self.forget_students(samples.SAMPLE_STUDENTS)
        self.build_release()
        log.info("2/4 Writing the sample submissions into submitted/")
        students = samples.write_class(self)
        log.info("  %s", ", ".join(students))
        log.info("3/4 Autograding%s in parallel, feedback, grades CSVs", " in the sandbox" if self.sandbox else "")
        self.grade(self.assignments())
        log.info("4/4 Scores and integrity report")
        return self.report(students) + (
            f"\n\nFeedback: feedback/<student>/<assignment>/<assignment>.html   Grades: grades.csv   "
            f"Integrity: integrity.csv   ({time.monotonic() - start:.0f} s)")
