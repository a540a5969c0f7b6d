"""Grade a source notebook in this process, with some solution cells replaced by student code.

A stand-in for one ``nbgrader autograde`` run that takes milliseconds instead of seconds, so that
hundreds of student variants can be graded. It runs the cells nbgrader's grading depends on —
read-only cells, solution cells and test cells, in order, in one namespace — and, like nbgrader,
counts a test cell as failed when it raises or writes anything to stderr. The end-to-end tests check
the same notebooks through the real nbgrader.
"""

import contextlib
import io
import signal

from convstep.course import grade_id, is_solution, read_notebook, solution_code


class CellTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CellTimeout("cell ran longer than the time limit")


def run_cell(code, namespace, seconds):
    """Execute one cell; return None if it passed, else the reason on one line."""
    stderr = io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            exec(compile(code, "<cell>", "exec"), namespace)
    except BaseException as exc:  # a cell may raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"{type(exc).__name__}: {' | '.join(str(exc).splitlines())}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if stderr.getvalue():
        return f"wrote to stderr: {stderr.getvalue().strip().splitlines()[0]}"
    return None


def grade(course, assignment, replace=None, seconds=20):
    """{test cell id: (points, failure reason or None)} for the source notebook of ``assignment``.

    ``replace`` maps solution cell ids to the code a student wrote in their place; other solution
    cells hold the instructor's solution with the markers removed.
    """
    replace = replace or {}
    namespace = {"__name__": "__main__"}
    results = {}
    for cell in read_notebook(course.notebook(course.source, assignment)).cells:
        meta = cell.metadata.get("nbgrader")
        if cell.cell_type != "code" or not meta:
            continue
        name = grade_id(cell)
        code = replace.get(name, solution_code(cell)) if is_solution(cell) else cell.source
        failure = run_cell(code, namespace, seconds)
        if meta.get("grade"):
            results[name] = (meta["points"], failure)
    return results


def owner(function, cell_id):
    """Whether a test cell belongs to ``function`` (test cells are named test_<function>_<aspect>)."""
    return cell_id.startswith(f"test_{function}_")
