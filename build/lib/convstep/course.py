"""The course directory: its assignments and solutions, the release, and nbgrader run on it.

The repository root is the nbgrader course directory. Everything here drives the real nbgrader
command line (``python -m nbgrader ...``) so that what the tests check is what instructors run.
Progress goes to the ``convstep`` logger; results are returned, for the CLI to print.
"""

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from convstep import notebooks
from convstep.bootstrap import ROOT

log = logging.getLogger("convstep")


class CourseError(RuntimeError):
    """A problem the instructor must fix; the message says what and where."""


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
            raise CourseError(f"{self.root} is not a course directory: it has no nbgrader_config.py")
        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    def db_url(self):
        """The gradebook's URL: ``CourseDirectory.db_url`` if the configuration sets one, else the
        SQLite file nbgrader uses by default."""
        url = self.config().CourseDirectory.get("db_url")
        return url if isinstance(url, str) else f"sqlite:///{self.root / 'gradebook.db'}"

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url(), course_id=self.config().CourseDirectory.course_id)

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
        env = dict(os.environ)
        # nbgrader shells out to alembic, which lives next to this interpreter.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=env,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
            raise CourseError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{tail}")
        return result

    def build_release(self, assignments=None):
        """Sync provided cells, then ``nbgrader generate_assignment`` the assignments (all by default)
        into release/."""
        for entry in self.sync_provided():
            log.info("  updated provided code: %s", entry)
        for assignment in assignments or self.assignments():
            try:
                self.nbgrader("generate_assignment", assignment, "--force")
            except CourseError as error:
                if "there are submissions associated with it" not in str(error):
                    raise
                raise CourseError(
                    f"the graded cells of source/{assignment} changed after submissions were graded, so nbgrader "
                    f"will not regenerate it. If only the sample class was graded, run the demo again (it removes "
                    f"the sample students first) or delete gradebook.db; for a real class, keep the test cells' ids "
                    f"and points unchanged, or remove the graded submissions with `nbgrader db student remove`.") \
                    from None
            log.info("  release/%s/ generated", assignment)

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

    def grade(self, assignments, workers=None, scheduler=None, overrides=None, progress=True):
        """Grade every submission of ``assignments`` not yet graded in its current form, in parallel
        (``convstep.grading.parallel``), with feedback; then write grades.csv (nbgrader's export) and
        grades_by_function.csv. Returns the students of these assignments."""
        from convstep import report
        from convstep.grading import parallel

        unknown = sorted(set(assignments) - set(self.assignments()))
        if unknown:
            raise CourseError(f"no such assignment in source/: {', '.join(unknown)}")
        self.refuse_without_sandbox()
        overrides = dict(overrides or {})
        if not self.sandbox:
            overrides.setdefault("SandboxedExecute", {})["sandbox"] = False
        for outcome in parallel.grade_class(self, assignments, workers, scheduler, overrides, progress):
            if not outcome.graded:
                log.warning("  not graded: %s/%s: %s", outcome.student, outcome.assignment, outcome.error)
        self.nbgrader("export", "--to", str(self.grades_csv))
        students = sorted({s for a in assignments for s in self.submitters() if (self.submitted / s / a).is_dir()})
        report.write_function_grades(self, students, self.root / "grades_by_function.csv")
        return students

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
