"""convstep.earlier: a learner's own functions, read from their notebook of an earlier assignment."""

import nbformat
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from convstep.course import Course
from convstep.earlier import functions_from

COURSE = Course()
FAST = ["conv_forward_fast", "conv_backward_fast", "pool_forward_fast"]


def notebook(tmp_path, *cells):
    """A notebook file of (kind, nbgrader metadata or None, source) cells."""
    nb = nbformat.v4.new_notebook()
    for kind, meta, source in cells:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        if meta:
            cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    path = tmp_path / "earlier.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_functions_of_a_finished_notebook_5_run():
    found = functions_from(COURSE.notebook(COURSE.source, "05_fast_layers"), FAST + ["not_there"])
    assert sorted(found) == sorted(FAST)
    A = np.random.default_rng(0).standard_normal((2, 5, 6, 3))
    W = np.random.default_rng(1).standard_normal((3, 3, 3, 4))
    Z, cache = found["conv_forward_fast"](A, W, np.zeros((1, 1, 1, 4)), {"stride": 1, "pad": 1})
    windows = sliding_window_view(np.pad(A, ((0, 0), (1, 1), (1, 1), (0, 0))), (3, 3), axis=(1, 2))
    np.testing.assert_allclose(Z, np.einsum("mhwcij,ijck->mhwk", windows, W))
    assert [np.shape(g) for g in found["conv_backward_fast"](Z, cache)] == [A.shape, W.shape, (1, 1, 1, 4)]


def test_stubs_are_returned_as_stubs():
    found = functions_from(COURSE.notebook(COURSE.release, "05_fast_layers"), FAST)
    assert sorted(found) == sorted(FAST)
    with pytest.raises(NotImplementedError):
        found["pool_forward_fast"](np.zeros((1, 4, 4, 1)), {"f": 2, "stride": 2})


def test_only_answers_and_locked_code_run(tmp_path):
    path = notebook(tmp_path,
                    ("code", {"locked": True, "grade_id": "setup"}, "import numpy as np\nSCALE = 2"),
                    ("code", None, "raise RuntimeError('an example cell is not run')"),
                    ("code", {"solution": True, "grade_id": "double"}, "%matplotlib inline\ndef double(x):\n    return SCALE * np.asarray(x)"),
                    ("code", {"grade": True, "locked": True, "grade_id": "test_double"}, "raise AssertionError('not run')"),
                    ("markdown", None, "def not_code(): pass"))
    found = functions_from(path, ["double", "not_code"])
    assert list(found) == ["double"] and found["double"](3) == 6


def test_what_cannot_be_read_is_said(tmp_path):
    with pytest.raises(OSError):
        functions_from(tmp_path / "missing.ipynb", FAST)
    (tmp_path / "text.ipynb").write_text("not json")
    with pytest.raises(ValueError, match="is not a notebook"):
        functions_from(tmp_path / "text.ipynb", FAST)
    path = notebook(tmp_path, ("code", {"solution": True, "grade_id": "conv_forward_fast"}, "def conv_forward_fast(:"))
    with pytest.raises(ValueError, match="cell conv_forward_fast of .* raised SyntaxError"):
        functions_from(path, FAST)
