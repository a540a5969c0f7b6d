"""What the checker runs and when: its cells come from the instructor's notebook, in its order,
and no test runs before its own cell in the submission, whatever the submission's order or labels."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from convstep.grading import plan


def cell(source, grade_id, solution=False, grade=False, locked=True, points=0):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if grade:
        meta["points"] = points
    return new_code_cell(source, metadata={"nbgrader": meta})


SOURCE = new_notebook(cells=[
    cell("import numpy as np", "setup"),
    new_code_cell("x = 1  # an example: not the checker's"),
    cell("def zero_pad(X, pad):\n    return X", "provided_zero_pad"),
    cell("def conv(a):\n    ### BEGIN SOLUTION\n    return a\n    ### END SOLUTION\nHELPER = 1", "conv", solution=True, locked=False),
    cell("assert conv(1) == 1", "test_conv_visible", grade=True, points=1),
    cell("def reference(a):\n    return a", "test_conv_values", grade=True, points=2),
    cell("def pool(a):\n    return a", "pool", solution=True, locked=False),
    cell("assert pool(reference(1)) == 1", "test_pool", grade=True, points=1),
])


def test_the_plan_is_the_instructors_locked_code_in_order_and_the_functions_answers_define():
    the_plan = plan.from_cells(SOURCE.cells)
    assert [(s.name, s.test) for s in the_plan.steps] == [
        ("setup", False), ("provided_zero_pad", False), ("test_conv_visible", True), ("test_conv_values", True),
        ("test_pool", True)]
    assert the_plan.answers == {"conv", "pool"}  # HELPER is data: never an answer
    assert the_plan.tests == {"test_conv_visible", "test_conv_values", "test_pool"}


def run_order(labels):
    """What runs, in order, for a submission whose cells carry ``labels``."""
    the_plan = plan.from_cells(SOURCE.cells)
    return [labels[what] if kind == "cell" else f"check:{what.name}" for kind, what in plan.schedule(the_plan, labels)]


def test_a_submission_in_the_source_order_runs_as_stock_nbgrader_would():
    labels = ["setup", None, "provided_zero_pad", "conv", "test_conv_visible", "test_conv_values", "pool", "test_pool"]
    assert run_order(labels) == [
        "setup", None, "provided_zero_pad", "conv", "check:setup", "check:provided_zero_pad",
        "check:test_conv_visible", "check:test_conv_values", "pool", "check:test_pool"]


def test_a_test_moved_up_waits_for_the_tests_before_it():
    # test_pool moved to the top: it needs reference(), which test_conv_values defines
    labels = ["test_pool", "setup", "provided_zero_pad", "conv", "test_conv_visible", "test_conv_values", "pool"]
    order = run_order(labels)
    assert order.index("check:test_conv_values") < order.index("check:test_pool")
    assert order.index("check:test_conv_visible") > order.index("conv")  # never before its own cell


def test_swapped_labels_change_nothing_the_checker_runs():
    labels = ["setup", "provided_zero_pad", "conv", "test_conv_values", "test_conv_visible", "pool", "test_pool"]
    checks = [x for x in run_order(labels) if x.startswith("check:")]
    assert checks == ["check:setup", "check:provided_zero_pad", "check:test_conv_visible",
                      "check:test_conv_values", "check:test_pool"]


def test_a_test_whose_cell_is_missing_is_not_run_and_holds_back_nothing():
    labels = ["setup", "provided_zero_pad", "conv", "test_conv_visible", "pool", "test_pool"]
    assert "check:test_conv_values" not in run_order(labels)
    assert run_order(labels)[-1] == "check:test_pool"


def test_the_source_notebook_orders_the_gradebooks_cells(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(SOURCE, path)
    assert plan.from_cells(nbformat.read(path, as_version=4).cells) == plan.from_cells(SOURCE.cells)


def test_the_courses_own_cells_run_as_plain_python_in_the_checker(course):
    """The checker runs each notebook's locked cells with exec, not IPython: no magic, no shell escape;
    and every notebook has graded answers for its tests to call."""
    for assignment in course.assignments():
        the_plan = plan.from_cells(nbformat.read(course.notebook(course.source, assignment), as_version=4).cells)
        assert the_plan.answers and the_plan.tests, assignment
        for step in the_plan.steps:
            compile(step.code, step.name, "exec")  # raises SyntaxError for %magic or !shell
