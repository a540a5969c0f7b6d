"""The guided tours' answers hold in the explorers they are about (convstep/explorers/tour.py)."""

import numpy as np

from convstep import explorers
from convstep.explorers.tour import ANSWERS


def test_gradient_tour_answers():
    ex = explorers.gradient_explorer()
    with ex.hold():
        ex.f_slider.value, ex.stride.value = 3, 1
    ex.stepper.position.value = ex.stepper.position.max
    covering = [(top, left) for top, left, _ in ex.cells if top <= 2 < top + 3 and left <= 2 < left + 3]
    assert len(covering) == 9 and "9: the windows" in ANSWERS[("gradients", 1)]
    assert ex.w.sum() == 0 and ex.da[2, 2] == 0 and "which is 0 for Sobel x" in ANSWERS[("gradients", 1)]
    assert len(ex.cells) == 16 and ANSWERS[("gradients", 2)].startswith("db = 16")
    ex.layer.value = "max pool"
    for stride, windows in [(2, 9), (1, 25)]:
        with ex.hold():
            ex.f_slider.value, ex.stride.value = 2, stride
        ex.stepper.position.value = ex.stepper.position.max
        assert np.isclose(ex.da.sum(), windows), (stride, ex.da.sum())
        assert f"= {windows}" in ANSWERS[("gradients", 3)]


def test_receptive_tour_starts_on_the_central_cell():
    ex = explorers.receptive_field_explorer()
    assert (ex.row, ex.col) == (7, 7) and ex.shapes[-1] == 15
    top, left, bottom, right = ex.boxes[0]
    assert (bottom - top + 1, right - left + 1) == (14, 14) and top >= 0 and left >= 0   # not clipped
    ex.stepper.position.value = 0
    assert ex.boxes[0] == (-3, -3, 10, 10)
    rows, cols = np.nonzero(ex.gradients[0])
    assert (rows.max() + 1, cols.max() + 1) == (11, 11)
    assert "3 rows above and 3 columns left" in ANSWERS[("receptive", 1)] and "11×11" in ANSWERS[("receptive", 1)]
