"""What the trusted checker runs for one notebook: taken from the gradebook, never from the submission.

- its cells: every locked code cell that is not a solution — the setup imports, the provided
  (read-only) code and the test cells — with the gradebook's code, in the source notebook's order;
- the graded answers: the names of the functions the solution cells define. Only these resolve
  to the student's kernel; every other name a test uses is the checker's own.

``schedule`` interleaves the checker's cells with the submission's own cells: each test runs at its
cell in the submission or later, never before, and always in the source notebook's order, whatever
the submission's order or labels.
"""

import os
from collections import deque
from dataclasses import dataclass

from nbgrader.api import Gradebook

from convstep import notebooks


@dataclass(frozen=True)
class Step:
    """One cell the checker runs: a test (its outputs are graded) or code the course provides."""

    name: str
    code: str
    test: bool


@dataclass(frozen=True)
class Plan:
    steps: tuple
    answers: frozenset

    @property
    def tests(self):
        return {step.name for step in self.steps if step.test}


def from_cells(cells):
    """The plan of a source notebook's cells (nbformat), in their order."""
    steps, answers = [], set()
    for cell in cells:
        if cell.cell_type != "code" or "nbgrader" not in cell.metadata:
            continue
        if notebooks.is_solution(cell):
            answers |= notebooks.defined_functions(cell.source)
        elif notebooks.is_locked(cell):
            steps.append(Step(notebooks.grade_id(cell), cell.source, notebooks.is_grade(cell)))
    return Plan(tuple(steps), frozenset(answers))


def from_gradebook(db_url, notebook, assignment, source_notebook=None):
    """The plan of a notebook as the gradebook holds it, ordered as the source notebook (when it is
    there) orders its cells; cells the source notebook lacks come last."""
    with Gradebook(db_url) as gb:  # as nbgrader's OverwriteCells opens it
        nb = gb.find_notebook(notebook, assignment)
        solutions = {cell.name for cell in nb.solution_cells}
        grades = {cell.name for cell in nb.grade_cells}
        cells = [(cell.name, cell.source, cell.name in grades) for cell in nb.source_cells
                 if cell.cell_type == "code" and cell.locked and cell.name not in solutions]
        answers = set().union(*(notebooks.defined_functions(cell.source) for cell in nb.source_cells
                                if cell.name in solutions))
    order = {}
    if source_notebook and os.path.isfile(source_notebook):
        order = {notebooks.grade_id(cell): i for i, cell in enumerate(notebooks.read(source_notebook).cells)}
    cells.sort(key=lambda cell: order.get(cell[0], len(order)))
    return Plan(tuple(Step(*cell) for cell in cells), frozenset(answers))


def schedule(plan, labels):
    """The order of work for a submission whose cells to run carry ``labels`` (grade ids or None),
    in the submission's order: a list of ("cell", position) and ("check", step).

    A test runs once the submission has reached its cell and every test before it in the source
    notebook has run; the provided code before a test runs just before it. Tests whose cell the
    submission lacks are not run (nbgrader puts deleted test cells back before grading)."""
    tests = plan.tests
    present = {label for label in labels if label in tests}
    pending = deque(step for step in plan.steps if not step.test or step.name in present)
    reached, work = set(), []

    def run_reached():  # the steps up to each next test whose cell has been reached
        while True:
            upto = next((i for i, step in enumerate(pending) if step.test), None)
            if upto is None or pending[upto].name not in reached:
                return
            work.extend(("check", pending.popleft()) for _ in range(upto + 1))

    for position, label in enumerate(labels):
        if label in tests:
            reached.add(label)
            run_reached()
        else:
            work.append(("cell", position))
    return work
