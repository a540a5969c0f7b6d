"""Grade a source notebook in this process, the way autograde does, with some solution cells
replaced by student code.

A stand-in for one ``nbgrader autograde`` run that takes milliseconds instead of seconds, so that
hundreds of student variants can be graded. The student's cells run in one namespace (the
"kernel"); the checker's cells (setup, provided code, tests) run in the real trusted checker
(``convstep.grading.checker``) on the plan and schedule autograde uses (``convstep.grading.plan``),
whose calls reach that namespace through the same plain-data wire and the same kernel-side code as
in a sandboxed kernel. Like nbgrader, a test cell fails when it raises or writes to stderr. The
end-to-end tests check the same notebooks through the real nbgrader.
"""

import contextlib
import functools
import io
import signal

from convstep import wire
from convstep.notebooks import grade_id, is_solution, is_test, solution_code
from convstep.notebooks import read as read_notebook
from convstep.grading import kernelside, plan
from convstep.grading.checker import CallTimeout, Checker


class CellTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    """Raise CellTimeout in whatever runs after ``seconds``; the list it yields tells whether it did
    (the student's code may catch the exception)."""
    fired = []

    def alarm(signum, frame):
        fired.append(True)
        raise CellTimeout("cell ran longer than the time limit")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LocalStudent:
    """The student's side in this process: ``kernelside.serve`` on the student's namespace, with
    the output of the student's code dropped, as the grader drops it."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.asked = []  # the names the checker asked this side to call

    def request(self, text, buffers, timeout):
        self.asked.append(wire.decode(text, buffers)["name"])
        with time_limit(timeout or 60) as fired, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            try:
                reply = kernelside.serve(text, buffers, self.namespace)
            except CellTimeout:
                pass
        if fired:
            raise CallTimeout("the call did not finish within the time limit of the test")
        return reply


def run_cell(code, namespace, seconds):
    """Execute one student cell; return None if it passed, else the reason on one line."""
    stderr = io.StringIO()
    try:
        with time_limit(seconds), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            exec(compile(code, "<cell>", "exec"), namespace)
    except BaseException as exc:  # a cell may raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"{type(exc).__name__}: {' | '.join(str(exc).splitlines())}"
    if stderr.getvalue():
        return f"wrote to stderr: {stderr.getvalue().strip().splitlines()[0]}"
    return None


def failure(outputs):
    """A test cell's failure as ``run_cell`` words it, from its outputs (None if it passed)."""
    for output in outputs:
        if output["output_type"] == "error":
            return f"{output['ename']}: {' | '.join(output['evalue'].splitlines())}"
    for output in outputs:
        if output.get("name") == "stderr":
            return f"wrote to stderr: {output['text'].strip().splitlines()[0]}"
    return None


@functools.lru_cache(maxsize=None)
def graded_cells(path):
    """(kind, id, points, code) of the cells grading depends on — "test", "solution" or "locked" —
    and the checker's plan, read once per notebook: hundreds of variants are graded against each."""
    cells, notebook = [], read_notebook(path)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        if cell.cell_type == "code" and meta:
            kind = "test" if is_test(cell) else "solution" if is_solution(cell) else "locked"
            cells.append((kind, grade_id(cell), meta.get("points"),
                          solution_code(cell) if kind == "solution" else cell.source))
    return tuple(cells), plan.from_cells(notebook.cells)


def grade(course, assignment, replace=None, seconds=20):
    """{test cell id: (points, failure reason or None)} for the source notebook of ``assignment``.

    ``replace`` maps solution cell ids to the code a student wrote in their place; other solution
    cells hold the instructor's solution with the markers removed.
    """
    replace = replace or {}
    cells, the_plan = graded_cells(course.notebook(course.source, assignment))
    namespace = {"__name__": "__main__"}
    checker = Checker(LocalStudent(namespace), the_plan.answers)
    points = {name: value for kind, name, value, _ in cells if kind == "test"}
    results = {}
    for kind, what in plan.schedule(the_plan, [name for _, name, _, _ in cells]):
        if kind == "cell":
            cell_kind, name, _, code = cells[what]
            run_cell(replace.get(name, code) if cell_kind == "solution" else code, namespace, seconds)
        elif what.test:
            results[what.name] = (points[what.name], failure(checker.run(what.code, what.name, timeout=seconds)))
        else:
            checker.run(what.code, what.name, timeout=seconds)
    return results
