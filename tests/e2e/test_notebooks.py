"""Every source notebook runs top to bottom in a real kernel, with its solutions, without an error."""

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
