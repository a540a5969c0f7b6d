"""Headless tests of the receptive field explorer: the formula against the one-hot experiment, the
experiment against a numerical gradient through plain loops, and the learner's backward functions."""

import numpy as np
import pytest

from convstep.checks import numerical_gradient
from convstep.explorers import receptive_field_explorer


def plain_layer(a, kind, f, s, p, d):
    """One layer with all conv weights 1 and pools as averages (the experiment's layers), as a sum
    of f² shifted, strided slices of the padded input: independent of the explorer's geometry."""
    a = np.pad(a, p)
    span = d * (f - 1) + 1
    n = (a.shape[0] - span) // s + 1
    out = sum(a[i * d:i * d + s * (n - 1) + 1:s, j * d:j * d + s * (n - 1) + 1:s]
              for i in range(f) for j in range(f))
    return out if kind == "conv" else out / (f * f)


def set_stack(ex, stack):
    with ex.hold():
        for layer, spec in zip(ex.layers, stack + [("off", 1, 1, 0, 1)] * (4 - len(stack))):
            for control, value in zip(layer.controls, spec):
                control.value = value


@pytest.fixture(scope="module")
def ex():
    return receptive_field_explorer()


def test_default_stack_formula_and_one_hot_agree(ex):
    assert ex.shapes == [64, 64, 32, 30, 15]
    assert ex.sizes == [(1, 1), (3, 1), (4, 2), (12, 2), (14, 4)]
    ex.stepper.position.value = 7 * 15 + 7          # a cell in the middle of the last layer
    top, left, bottom, right = ex.boxes[0]
    assert (bottom - top + 1, right - left + 1) == (14, 14)
    rows, cols = np.nonzero(ex.gradients[0])
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (top, bottom, left, right)
    assert ex.agree and "✔ the experiment agrees with the formula" in ex.experiment.value
    assert "r4 = r3 + (f_eff − 1)·j3 = 12 + 1·2 = <b>14</b>" in ex.formula.value
    assert "nn.Conv2d(1, 1, 3, stride=1, padding=1, dilation=2)" in ex.calls.value


@pytest.mark.parametrize("stack", [
    [("conv", 3, 2, 1, 1), ("average pool", 2, 3, 0, 1)],          # stride larger than f: holes
    [("conv", 2, 1, 0, 3), ("max pool", 3, 1, 1, 1)],              # dilation, padding
])
def test_one_hot_equals_numerical_gradient_through_loops(ex, stack):
    with ex.hold():
        ex.source.value = "camera 32×32"
    set_stack(ex, stack)
    ex.stepper.position.value = ex.stepper.position.max // 2
    row, col = ex.row, ex.col
    a = np.zeros((32, 32))

    def picked():
        out = a
        for kind, f, s, p, d in stack:
            out = plain_layer(out, "conv" if kind == "conv" else "pool", f, s, p, d)
        return out[row, col]

    grad = numerical_gradient(picked, a)
    np.testing.assert_array_equal(ex.gradients[0] != 0, np.abs(grad) > 1e-9)
    np.testing.assert_allclose(ex.gradients[0], grad, atol=1e-6)
    assert ex.agree


def test_learner_backward_functions_are_used_and_their_errors_shown():
    def conv_backward(dZ, cache):
        a_prev, w, b, hp = cache
        s, p, f = hp["stride"], hp["pad"], w.shape[0]
        da = np.zeros((a_prev.shape[1] + 2 * p,) * 2)
        for i in range(dZ.shape[1]):
            for j in range(dZ.shape[2]):
                da[i * s:i * s + f, j * s:j * s + f] += w[:, :, 0, 0] * dZ[0, i, j, 0]
        return da[p:da.shape[0] - p, p:da.shape[1] - p][None, :, :, None], None, None

    def pool_backward(dA, cache, mode="max"):
        a_prev, hp = cache
        f, s = hp["f"], hp["stride"]
        da = np.zeros_like(a_prev)
        for i in range(dA.shape[1]):
            for j in range(dA.shape[2]):
                da[0, i * s:i * s + f, j * s:j * s + f, 0] += dA[0, i, j, 0] / (f * f)
        return da

    reference = receptive_field_explorer()
    yours = receptive_field_explorer(conv_backward=conv_backward, pool_backward=pool_backward)
    assert yours.used == ["yours"] * 4
    assert "layer 1: yours" in yours.experiment.value
    for mine, ref in zip(yours.gradients, reference.gradients):
        np.testing.assert_allclose(mine, ref)

    def broken(dZ, cache):
        raise KeyError("strides")

    ex = receptive_field_explorer(conv_backward=broken)
    assert ex.used == ["reference", "reference", "reference", "reference"]
    assert "raised <code>KeyError: &#x27;strides&#x27;</code>" in ex.experiment.value
    assert ex.agree


def test_a_layer_that_does_not_fit_is_left_out_and_explained(ex):
    with ex.hold():
        ex.source.value = "camera 32×32"
    set_stack(ex, [("conv", 7, 4, 0, 3), ("conv", 7, 1, 0, 3)])    # 32 → 4, then f_eff 19 > 4
    assert "Layer 2 does not fit" in ex.notice.value
    assert ex.shapes == [32, 4] and len(ex.gradients) == 2


def click(ex, x, y):
    """A click as ipyevents sends it from the browser: position in the picture's pixels."""
    ex.clicks._handle_mouse_msg(None, {"event": "click", "dataX": x, "dataY": y}, [])


def pixel_of(ex, panel, row, col):
    """Where cell (row, col) of a panel is drawn, in picture pixels from the top left."""
    return ex.canvas.pixel(ex.axes[panel], col, row)


@pytest.mark.parametrize("stack", [None, [("conv", 3, 2, 0, 1)]])
def test_a_click_on_the_last_panel_picks_the_cell_under_it(stack):
    ex = receptive_field_explorer()
    if stack:
        set_stack(ex, stack)
    last, n = len(ex.stack), ex.shapes[-1]
    for row, col in [(2, 5), (n - 1, 0), (0, n - 1)]:
        click(ex, *pixel_of(ex, last, row, col))
        assert (ex.row, ex.col) == (row, col), f"clicked cell ({row}, {col}) of a {n}×{n} layer"
        assert ex.stepper.position.value == row * n + col
        assert f"cell ({row}, {col}) of the last layer" in ex.formula.value


def test_a_click_off_the_last_layers_cells_changes_nothing():
    ex = receptive_field_explorer()
    ex.stepper.position.value = 17
    n_input = ex.shapes[0]
    for x, y in [pixel_of(ex, 0, n_input // 2, n_input // 2),    # the input panel
                 (2.0, 2.0),                                      # the figure's corner
                 pixel_of(ex, len(ex.stack), -3, 0)]:             # above the last panel
        click(ex, x, y)
        assert ex.stepper.position.value == 17
