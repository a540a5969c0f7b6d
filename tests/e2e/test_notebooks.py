"""Every source notebook runs top to bottom in a real kernel, with its solutions, without an error; a
failed check in a release notebook reads as one message."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from convstep.course import Course

ASSIGNMENTS = Course().assignments()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_runs_clean(course, assignment):
    path = course.notebook(course.source, assignment)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]
    assert errors == []
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            # every test cell ends with a print: reaching it means every check before it passed
            assert any(o.output_type == "stream" and o.text.strip() for o in cell.outputs), cell.id
    explorers = [c for c in nb.cells if c.cell_type == "code" and "explorer(" in c.source]
    assert explorers, f"{assignment}: no explorer in the lesson"
    for cell in explorers:  # outside grading the explorer is shown as a live widget
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs), cell.source
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert figures >= 2, f"{assignment}: expected its figures to be drawn, got {figures}"


def test_a_failing_check_reads_as_one_message(course):
    """In a learner's kernel a failed check shows its message only -- the case, the problem, where
    the learner's code raised, the hint -- not a traceback through convstep.checks."""
    path = course.notebook(course.release, "02_conv_forward")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # conv_single_step written with the seeds' float(b); conv_forward left blank
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "conv_single_step":
            cell.source = cell.source.replace("raise NotImplementedError()",
                                              "Z = np.sum(a_slice_prev * W) + float(b)\n    return Z")
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    shown = {cell.metadata["nbgrader"]["grade_id"]: [o for o in cell.outputs if o.output_type == "error"]
             for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    raised, blank = shown["test_conv_single_step_visible"][0], shown["test_conv_forward_visible"][0]
    plain = lambda output: [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in output.traceback]
    assert plain(raised) == [
        "Test failed: conv_single_step on the example (a 4x4x3 window, b of shape (1, 1, 1))",
        "    conv_single_step raised TypeError: only 0-dimensional arrays can be converted to Python scalars",
        "    (in conv_single_step, line 13 of its cell: Z = np.sum(a_slice_prev * W) + float(b))",
        "    Hint: float(b) fails on NumPy >= 2.4; use b.item() or b[0, 0, 0]"]
    assert plain(blank) == [
        "Test failed: conv_forward on the example (A_prev (10, 4, 4, 3), W (2, 2, 3, 8), pad=2, stride=2)",
        "    conv_forward is not implemented yet (it still raises NotImplementedError)"]
    # what nbgrader and the feedback read is unchanged: a failed AssertionError with the whole message
    assert raised.ename == "CheckFailed" and raised.evalue.endswith("Hint: float(b) fails on NumPy >= 2.4; "
                                                                     "use b.item() or b[0, 0, 0]")


def test_the_network_explorer_of_06_runs_on_the_release_stubs(course):
    """Release notebook 6 with every answer left as its stub: its training fails, but the network
    explorer at its end still shows (the course's network, said so), and its report names the
    learner's functions that raise."""
    path = course.notebook(course.release, "06_train_a_cnn")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True, store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    cell = next(c for c in nb.cells if c.cell_type == "code" and "network_explorer(" in c.source)
    assert [o.ename for o in cell.outputs if o.output_type == "error"] == []
    assert "Section 6 has not trained your network yet" in "".join(o.get("text", "") for o in cell.outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
    states = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"].values()
    report = next(v for v in (m["state"].get("value") for m in states)
                  if isinstance(v, str) and "<b>Your functions:</b>" in v)
    for name in ["relu_forward", "affine_forward"]:
        assert f"Your <code>{name}</code> raised <code>NotImplementedError" in report
    assert "<code>relu_forward</code>: reference" in report and "<code>affine_backward</code>: reference" in report
