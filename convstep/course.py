"""The course pipeline: keep provided code in sync, build the release, grade, report.

The repository root is the nbgrader course directory. Everything here drives the real nbgrader
command line (``python -m nbgrader ...``) so that what the tests check is what instructors run.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")

# The bundled sample class. Each student is described by edits to the instructor's solutions, so the
# samples follow the course when it changes (and the package never stores a solution).
#   "solutions": which solution cells are filled in ("all" or "none")
#   "edits": {solution cell id: [(old text, new text), ...]} applied to that solution
SAMPLE_STUDENTS = {
    "complete": {"solutions": "all", "edits": {}},
    "blank": {"solutions": "none", "edits": {}},
    # The mistakes found in the seed documents of this course.
    "mistakes": {"solutions": "all", "edits": {
        "conv_single_step": [("b.item()", "float(b)")],
        # inlined, so that the float(b) mistake costs conv_single_step's points only
        "conv_forward": [("conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])",
                          "np.sum(a_slice_prev * W[:, :, :, c]) + b[0, 0, 0, c]")],
        "pool_forward": [('f = hparameters["f"]\n    stride = hparameters["stride"]',
                          "stride, f = hparameters.values()")],
        "conv_backward": [("dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]",
                           "dA_prev_pad[:, pad:-pad, pad:-pad, :]")],
        "pool_backward": [("vert_start = h * stride", "vert_start = h"),
                          ("horiz_start = w * stride", "horiz_start = w")],
    }},
    # A forgotten `n += 1` at the top of a cell: the cell never ends until the timeout cuts it off.
    "looping": {"solutions": "all", "edits": {
        "conv_forward": [("def conv_forward(", "n = 0\nwhile n < 3:\n    n_out = (4 + 2 * 1 - 3) // 1 + 1\n\n"
                                               "def conv_forward(")],
    }},
}


class CourseError(RuntimeError):
    """A problem the instructor must fix; the message says what and where."""


# ---------------------------------------------------------------- notebooks and cells

def read_notebook(path):
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise CourseError(f"missing notebook: {path}") from None
    except Exception as exc:  # nbformat raises several types for broken JSON / schema
        raise CourseError(f"cannot read {path}: {exc}") from None


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_solution(cell):
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def solution_code(cell):
    """The instructor's solution cell as a student would have written it: markers removed."""
    return "\n".join(line for line in cell.source.splitlines() if not MARKER.match(line))


def apply_edits(code, edits, where):
    for old, new in edits:
        if code.count(old) != 1:
            raise CourseError(f"sample edit for {where} expects exactly one '{old}' in the solution; "
                              f"found {code.count(old)} (was the solution changed?)")
        code = code.replace(old, new)
    return code


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
        self.gradebook = self.root / "gradebook.db"

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

    def course_id(self):
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        return config.CourseDirectory.course_id

    def solutions(self):
        """{cell id: solution code} for every solution cell of the series, in teaching order."""
        found = {}
        for assignment in self.assignments():
            for cell in read_notebook(self.notebook(self.source, assignment)).cells:
                if is_solution(cell) and cell.cell_type == "code":
                    if grade_id(cell) in found:
                        raise CourseError(f"solution cell '{grade_id(cell)}' is defined twice (again in {assignment})")
                    found[grade_id(cell)] = solution_code(cell)
        return found

    def sync_provided(self, write=True):
        """Make every read-only ``provided_<name>`` cell equal to the solution of ``<name>``.

        Later notebooks receive earlier functions as provided code; this keeps one source of truth.
        Returns the "assignment: cell" entries that were (or, with write=False, would be) changed.
        """
        known = self.solutions()
        changed = []
        for assignment in self.assignments():
            path = self.notebook(self.source, assignment)
            nb = read_notebook(path)
            dirty = False
            for cell in nb.cells:
                cell_id = grade_id(cell) or ""
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

    def build_release(self):
        """Sync provided cells, then ``nbgrader generate_assignment`` every assignment into release/."""
        for entry in self.sync_provided():
            print(f"  updated provided code: {entry}")
        for assignment in self.assignments():
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
            print(f"  release/{assignment}/ generated")

    def forget_students(self, students):
        """Remove students and their grades from the gradebook (the sample class, before a rerun)."""
        if not self.gradebook.exists():
            return
        from nbgrader.api import MissingEntry

        with self._gradebook() as gb:
            for student in students:
                try:
                    gb.remove_student(student)
                except MissingEntry:
                    pass

    def make_sample_submissions(self, students=SAMPLE_STUDENTS):
        """Write sample students into submitted/<student>/<assignment>/<assignment>.ipynb.

        Each notebook is the release notebook with its stubs replaced as a student would: by the
        solution (edited for the student's mistakes), or left as the stub.
        """
        known = self.solutions()
        for student, spec in students.items():
            shutil.rmtree(self.submitted / student, ignore_errors=True)
            for assignment in self.assignments():
                nb = read_notebook(self.notebook(self.release, assignment))
                for cell in nb.cells:
                    name = grade_id(cell)
                    if is_solution(cell) and spec["solutions"] == "all":
                        cell.source = apply_edits(known[name], spec["edits"].get(name, []), f"{student}/{name}")
                path = self.notebook(self.submitted / student, assignment)
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, path)
        return sorted(students)

    def autograde(self, assignment, *options):
        """``nbgrader autograde`` for every submission of ``assignment``; returns nbgrader's output.

        A submission that cannot be graded (a corrupted notebook, say) makes nbgrader exit non-zero
        after grading the others; that is reported per student in the table, not raised here. Only
        a refusal to grade at all (no sandbox) is an error.
        """
        args = ["autograde", assignment, "--force", *options]
        if not self.sandbox:
            args.append("--SandboxedExecute.sandbox=False")
        result = self.nbgrader(*args, check=False)
        output = result.stdout + result.stderr
        refusal = re.search(r"refusing to grade without a sandbox: .*", output)
        if refusal:
            raise CourseError(refusal.group(0))
        return output

    def grade(self, students):
        """Autograde, generate feedback and export the CSV for every assignment, with progress.
        Refuses up front when the sandbox cannot run."""
        from convstep.sandbox import sandbox_problem

        if self.sandbox and sandbox_problem():
            raise CourseError("refusing to grade without a sandbox: " + sandbox_problem())
        if not self.sandbox:
            print("  WARNING: grading WITHOUT a sandbox: student code runs with your rights")
        for assignment in self.assignments():
            start = time.monotonic()
            print(f"  autograding {assignment} for {len(students)} students ...", end="", flush=True)
            output = self.autograde(assignment)
            failed = re.findall(r"error processing assignment '[^']+' for student '([^']+)'", output)
            try:
                self.nbgrader("generate_feedback", assignment, "--force")
            except CourseError as error:  # feedback for the others is still written
                print(f" (feedback incomplete: {str(error).splitlines()[0]})", end="")
            print(f" {time.monotonic() - start:.1f} s" + (f"; not graded: {', '.join(failed)}" if failed else ""))
        self.nbgrader("export", "--to", str(self.grades_csv))

    # ------------------------------------------------------------ results

    def _gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(f"sqlite:///{self.gradebook}", course_id=self.course_id())

    def scores(self, students):
        """{(student, assignment): (score, max_score)} for every graded submission."""
        from nbgrader.api import MissingEntry

        table = {}
        with self._gradebook() as gb:
            for student in students:
                for assignment in self.assignments():
                    try:
                        sub = gb.find_submission(assignment, student)
                    except MissingEntry:
                        continue
                    table[student, assignment] = (sub.score, sub.max_score)
        return table

    def cell_scores(self, student, assignment):
        """{grade cell id: (score, max)} for one graded notebook."""
        with self._gradebook() as gb:
            nb = gb.find_submission_notebook(assignment, assignment, student)
            return {g.name: (g.score, g.max_score) for g in nb.grades}

    def notes(self, student, assignment):
        """What the score table should say besides the score: why a notebook was not graded,
        cells cut off by the timeout, kernels that died, output that was dropped."""
        submitted = self.notebook(self.submitted / student, assignment)
        if not submitted.exists():
            return "no notebook submitted"
        try:
            read_notebook(submitted)
        except CourseError as error:
            return f"unreadable notebook ({str(error).split(': ', 2)[-1][:60]})"
        path = self.notebook(self.autograded / student, assignment)
        if not path.exists():
            return "not graded: see the nbgrader output"
        cells = read_notebook(path).cells
        label = lambda i: grade_id(cells[i]) or f"cell {i + 1}"
        remarks = []
        timed_out = [label(i) for i, c in enumerate(cells) if c.cell_type == "code"
                     and any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
        if timed_out:
            remarks.append(f"timed out: {', '.join(timed_out)}")
        side = path.parent / "integrity.json"
        if side.exists():
            for note in json.loads(side.read_text()).get("notes", []):
                remarks.append(f"{note['note'].split(' (')[0]} in {label(note['cell'])}")
        return "; ".join(dict.fromkeys(remarks))

    def format_table(self, students):
        """Student x assignment table of 'score / max', with totals and notes."""
        table = self.scores(students)
        names = self.assignments()
        header = ["student"] + [a.replace("_", " ", 1) for a in names] + ["total", "notes"]
        rows = []
        for student in students:
            cells, total, total_max, remarks = [], 0.0, 0.0, []
            for assignment in names:
                score, maximum = table.get((student, assignment), (None, None))
                cells.append("missing" if score is None else f"{score:g} / {maximum:g}")
                total += score or 0
                total_max += maximum or 0
                remark = self.notes(student, assignment)
                if remark:
                    remarks.append(f"{assignment[:2]} {remark}")
            rows.append([student] + cells + [f"{total:g} / {total_max:g}", "; ".join(remarks)])
        widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
        line = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
        return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])

    def submitters(self):
        """Every student with a folder in submitted/."""
        return sorted(p.name for p in self.submitted.iterdir() if p.is_dir()) if self.submitted.is_dir() else []

    def report(self, students=None):
        """Print the score table and the integrity report; write integrity.csv."""
        from convstep import integrity

        students = students or self.submitters()
        if not students:
            raise CourseError(f"nothing to report: {self.submitted} holds no submissions")
        rows = integrity.report(self, students)
        integrity.write_csv(rows, self.integrity_csv)
        print(self.format_table(students))
        print("\n" + integrity.format_report(rows))

    def demo(self):
        """The main job: release, sample class, autograde, feedback, CSV, summary table."""
        start = time.monotonic()
        print("1/4 Building release/ from source/")
        self.forget_students(SAMPLE_STUDENTS)
        self.build_release()
        print("2/4 Copying the sample submissions into submitted/")
        students = self.make_sample_submissions()
        print(f"  {', '.join(students)}")
        print("3/4 Autograding" + (" in the sandbox" if self.sandbox else "") + ", feedback, grades CSV")
        self.grade(students)
        print("4/4 Scores and integrity report")
        self.report(students)
        print(f"\nFeedback: feedback/<student>/<assignment>/<assignment>.html   Grades: grades.csv   "
              f"Integrity: integrity.csv   ({time.monotonic() - start:.0f} s)")
