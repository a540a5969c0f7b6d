"""Do the hidden tests tell right from wrong?

Graded in-process (tests/inprocess.py) against:
- the bugs of the seed documents, each with exactly the test cells it must fail and the hint it must get;
- the catalog in tests/student_code: every correct alternative gets full marks, every typical
  mistake loses points in its own function's cells;
- the blank release stubs, which must score zero.
"""

from pathlib import Path

import pytest

import inprocess
from convstep import report
from fast_and_training import COMPANIONS
from convstep.notebooks import grade_id, is_solution
from convstep.notebooks import read as read_notebook
from convstep.samples import SAMPLE_STUDENTS, apply_edits

CATALOG = Path(__file__).parent / "student_code"
MISTAKES = SAMPLE_STUDENTS["mistakes"]["edits"]  # the sample class's seed bugs, checked here cell by cell
LOSES = SAMPLE_STUDENTS["mistakes"]["loses"]


def lost_in(function):
    """The sample mistakes' lost test cells that check ``function`` (named as report.owner reads them)."""
    return {cell for cell in LOSES if report.owner(MISTAKES, cell) == function}


@pytest.fixture(scope="session")
def homes(course):
    """{function: assignment whose notebook defines it}."""
    found = {}
    for assignment in course.assignments():
        for cell in read_notebook(course.notebook(course.source, assignment)).cells:
            if is_solution(cell):
                found[grade_id(cell)] = assignment
    return found


def failures(results):
    return {cell: why for cell, (_, why) in results.items() if why}


def test_solutions_pass_every_test(course):
    for assignment in course.assignments():
        assert failures(inprocess.grade(course, assignment)) == {}, assignment


def test_blank_stubs_score_zero(course):
    for assignment in course.assignments():
        stubs = {grade_id(c): c.source for c in read_notebook(course.notebook(course.release, assignment)).cells
                 if is_solution(c)}
        results = inprocess.grade(course, assignment, stubs)
        passed = [cell for cell, (_, why) in results.items() if why is None]
        assert passed == [], f"{assignment}: test cells passed with the blank stubs: {passed}"


def test_sample_mistakes_lose_exactly_their_cells(course, homes):
    """The demo's "mistakes" student, graded in-process: the cells samples.py says it loses, no other
    (tests/e2e/test_grading.py holds real nbgrader to the same list)."""
    lost = set()
    for assignment in course.assignments():
        edited = {f: apply_edits(course.solutions()[f], edits, f) for f, edits in MISTAKES.items()
                  if homes[f] == assignment}
        lost |= set(failures(inprocess.grade(course, assignment, edited)))
    assert lost == LOSES


# (function, edits to the instructor's solution, test cells that must fail -- all others must pass,
#  a phrase the failure message must contain)
SEED_BUGS = {
    "pool_backward ignores the stride (vert_start = h)": (
        "pool_backward", MISTAKES["pool_backward"],
        lost_in("pool_backward"), "right for stride 1, wrong for stride 2"),
    "pool_backward reads dA at the window corner": (
        "pool_backward", [("create_mask_from_window(a_prev_slice) * dA[i, h, w, c]",
                           "create_mask_from_window(a_prev_slice) * dA[i, vert_start, horiz_start, c]"),
                          ("distribute_value(dA[i, h, w, c], (f, f))",
                           "distribute_value(dA[i, vert_start, horiz_start, c], (f, f))")],
        # with stride 3 the corner row is past the end of dA: an IndexError in the shapes test too
        {"test_pool_backward_shapes", "test_pool_backward_max", "test_pool_backward_average"}, "dA[i, h, w, c]"),
    "conv_backward unpads with [pad:-pad]": (
        "conv_backward", MISTAKES["conv_backward"],
        lost_in("conv_backward"), "with pad = 0"),
    "conv_single_step uses float(b)": (
        "conv_single_step", MISTAKES["conv_single_step"],
        {"test_conv_single_step_visible", "test_conv_single_step_scalar", "test_conv_single_step_values",
         # conv_forward calls conv_single_step, so it fails with it
         "test_conv_forward_visible", "test_conv_forward_shapes", "test_conv_forward_stride1",
         "test_conv_forward_stride2", "test_conv_forward_filters", "test_conv_forward_contract"},
        "use b.item() or b[0, 0, 0]"),
    "conv_single_step uses np.float64(b)": (
        "conv_single_step", [("b.item()", "np.float64(b)")],
        {"test_conv_single_step_visible", "test_conv_single_step_scalar",
         "test_conv_forward_visible", "test_conv_forward_shapes", "test_conv_forward_stride1",
         "test_conv_forward_stride2", "test_conv_forward_filters", "test_conv_forward_contract"},
        "np.float64(b) is still an array"),
    "conv_forward unpacks hparameters by dict order": (
        "conv_forward", [('stride = hparameters["stride"]\n    pad = hparameters["pad"]',
                          "pad, stride = hparameters.values()")],
        {"test_conv_forward_contract"}, "read the values by name"),
    "pool_forward unpacks hparameters by dict order": (
        "pool_forward", [('f = hparameters["f"]\n    stride = hparameters["stride"]',
                          "stride, f = [v for k, v in hparameters.items()]")],
        {"test_pool_forward_contract"}, "read f and stride by name"),
    "conv_backward unpacks hparameters by dict order": (
        "conv_backward", [('stride = hparameters["stride"]\n    pad = hparameters["pad"]',
                           "pad, stride = hparameters.values()")],
        {"test_conv_backward_contract"}, "read the values by name"),
    "pool_backward unpacks hparameters by dict order": (
        "pool_backward", [('f = hparameters["f"]\n    stride = hparameters["stride"]',
                           "stride, f = hparameters.values()")],
        {"test_pool_backward_contract"}, "read f and stride by name"),
    "conv_forward calls zeros_pad (typo)": (
        "conv_forward", [("zero_pad(A_prev, pad)", "zeros_pad(A_prev, pad)")],
        {"test_conv_forward_visible", "test_conv_forward_shapes", "test_conv_forward_stride1",
         "test_conv_forward_stride2", "test_conv_forward_filters", "test_conv_forward_contract"}, "zeros_pad"),
    "conv_backward reads hparaametrs (typo)": (
        "conv_backward", [('stride = hparameters["stride"]', 'stride = hparaametrs["stride"]')],
        {"test_conv_backward_visible", "test_conv_backward_shapes", "test_conv_backward_db",
         "test_conv_backward_dW", "test_conv_backward_dA_pad", "test_conv_backward_dA_nopad",
         "test_conv_backward_contract"}, "hparaametrs"),
    # Not from the seeds, but from learners: mistakes whose cost must be exactly the cells that check them.
    "conv_backward_fast pads the bottom and the right by the stride": (
        "conv_backward_fast", [("np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))",
                                "np.pad(A_prev, ((0, 0), (pad, stride), (pad, stride), (0, 0)))")],
        # right whenever pad <= stride: only the cases with a pad larger than the stride crash
        {"test_conv_backward_fast_dW", "test_conv_backward_fast_dA_pad"}, "pad every side by pad"),
    "relu_backward writes into dA and returns it (as many CS231n copies do)": (
        "relu_backward", [("dZ = dA * (Z > 0)", "dA *= Z > 0\n    dZ = dA")],
        {"test_relu_backward_contract"}, "dA was modified by the call"),
}


@pytest.mark.parametrize("bug", sorted(SEED_BUGS))
def test_seed_bugs_lose_exactly_their_points(course, homes, bug):
    function, edits, must_fail, phrase = SEED_BUGS[bug]
    code = apply_edits(course.solutions()[function], edits, bug)
    failed = failures(inprocess.grade(course, homes[function], {function: code}))
    assert set(failed) == must_fail, f"{bug}: failed {sorted(failed)}, expected exactly {sorted(must_fail)}"
    assert any(phrase in why for why in failed.values()), \
        f"{bug}: no failure message mentions {phrase!r}: {failed}"


VARIANTS = sorted(CATALOG.glob("*/*.py"))


def test_catalog_is_there(course):
    functions = {p.parent.name for p in VARIANTS}
    assert functions == set(course.solutions()), functions  # (ok_ and bug_ for each: test_catalog_sound)


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_catalog_variant(course, homes, path):
    function = path.parent.name
    summary = path.read_text().split('"""')[1].strip().splitlines()[0]
    code = path.read_text()
    # a variant that brings its own forward pass (its cache) replaces that cell too
    replace = {function: code, **{c: code for c in COMPANIONS.get(function, ()) if f"def {c}(" in code}}
    failed = failures(inprocess.grade(course, homes[function], replace))
    if path.name.startswith("ok_"):
        assert failed == {}, f"correct variant '{summary}' lost points: {failed}"
    else:
        own = {cell for cell in failed if report.owner(course.solutions(), cell) == function}
        assert own, f"mistake '{summary}' passed every test of {function}"
