"""The bundled sample class that the demo grades, written from the instructor's solutions.

Each student is a set of edits to the solutions, so the samples follow the course when it changes
and the package never stores a solution.
"""

import shutil

import nbformat

from convstep import notebooks

#   "solutions": which solution cells are filled in ("all" or "none")
#   "edits": {solution cell id: [(old text, new text), ...]} applied to that solution
#   "loses": the test cells those edits cost, all others keep their points (the tests hold the
#            demo and the in-process grader to this)
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
    }, "loses": {
        "test_conv_single_step_visible", "test_conv_single_step_scalar", "test_conv_single_step_values",
        "test_pool_forward_contract",                                           # dict-order unpacking
        "test_conv_backward_shapes", "test_conv_backward_dA_nopad",             # [pad:-pad]
        "test_pool_backward_max", "test_pool_backward_average",                 # stride ignored
    }},
    # A forgotten `n += 1` at the top of a cell: the cell never ends until the timeout cuts it off.
    "looping": {"solutions": "all", "edits": {
        "conv_forward": [("def conv_forward(", "n = 0\nwhile n < 3:\n    n_out = (4 + 2 * 1 - 3) // 1 + 1\n\n"
                                               "def conv_forward(")],
    }},
}



class SampleError(ValueError):
    """A sample edit no longer fits the solution it edits."""


def apply_edits(code, edits, where):
    for old, new in edits:
        if code.count(old) != 1:
            raise SampleError(f"sample edit for {where} expects exactly one '{old}' in the solution; "
                              f"found {code.count(old)} (was the solution changed?)")
        code = code.replace(old, new)
    return code


def write_class(course, students=SAMPLE_STUDENTS, assignments=None):
    """Write each sample student into submitted/<student>/<assignment>/<assignment>.ipynb (for the
    assignments given, all by default): the release notebook with its stubs replaced as that
    student would, by the (edited) solution or left as the stub. Returns the students' names."""
    known = course.solutions()
    for student, spec in students.items():
        shutil.rmtree(course.submitted / student, ignore_errors=True)
        for assignment in assignments or course.assignments():
            nb = notebooks.read(course.notebook(course.release, assignment))
            for cell in nb.cells:
                name = notebooks.grade_id(cell)
                if notebooks.is_solution(cell) and spec["solutions"] == "all":
                    cell.source = apply_edits(known[name], spec["edits"].get(name, []), f"{student}/{name}")
            path = course.notebook(course.submitted / student, assignment)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
    return sorted(students)
