"""Headless tests of the explorers: set controls as a learner would, assert what is drawn and said.

No browser and no mocks: the real widgets, the real matplotlib figure and the real picture bytes.
The reference values are checked against plain loops written here, independently of geometry.py.
"""

import io

import numpy as np
import pytest
from PIL import Image

from convstep import explorers, images
from convstep.checks import numerical_gradient
from convstep.explorers import geometry


# ----------------------------------------------------------------------------- independent loops


def loop_correlate(x, kernel, s, d, b=0.0):
    """Plain-loop cross-correlation of a padded (H, W[, C]) image with an (f, f[, C]) kernel."""
    f = kernel.shape[0]
    span = d * (f - 1) + 1
    n_h = (x.shape[0] - span) // s + 1
    n_w = (x.shape[1] - span) // s + 1
    out = np.zeros((n_h, n_w))
    for i in range(n_h):
        for j in range(n_w):
            window = x[i * s:i * s + span:d, j * s:j * s + span:d]
            out[i, j] = np.sum(window * kernel) + b
    return out


def loop_pool(x, f, s, mode):
    n_h, n_w = (x.shape[0] - f) // s + 1, (x.shape[1] - f) // s + 1
    out = np.zeros((n_h, n_w))
    for i in range(n_h):
        for j in range(n_w):
            window = x[i * s:i * s + f, j * s:j * s + f]
            out[i, j] = window.max() if mode == "max" else window.mean()
    return out


def learner_conv(A_prev, W, b, hparameters):
    """A correct conv_forward for a batch of one, as a learner would write it (loops)."""
    s, p = hparameters["stride"], hparameters["pad"]
    x = np.pad(A_prev[0], ((p, p), (p, p), (0, 0)))
    f = W.shape[0]
    z = np.zeros((1, (x.shape[0] - f) // s + 1, (x.shape[1] - f) // s + 1, 1))
    for i in range(z.shape[1]):
        for j in range(z.shape[2]):
            z[0, i, j, 0] = np.sum(x[i * s:i * s + f, j * s:j * s + f] * W[..., 0]) + b.item()
    return z, (A_prev, W, b, hparameters)


def learner_pool(A_prev, hparameters, mode="max"):
    out = loop_pool(A_prev[0, :, :, 0], hparameters["f"], hparameters["stride"], mode)
    return out[None, :, :, None], (A_prev, hparameters)


def picture(widget):
    """The explorer's current picture as an (H, W, 3) uint8 array, decoded from the widget bytes."""
    return np.asarray(Image.open(io.BytesIO(widget.canvas.image.value)).convert("RGB"))


# ----------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("n,f,s,p,d", [(8, 3, 1, 0, 1), (8, 3, 2, 1, 1), (7, 2, 3, 0, 1),
                                       (8, 3, 1, 0, 2), (5, 7, 1, 0, 1), (6, 3, 2, 2, 3)])
def test_output_size_counts_window_positions(n, f, s, p, d):
    span = d * (f - 1) + 1
    fitting = [top for top in range(0, n + 2 * p, s) if top + span <= n + 2 * p]
    assert geometry.output_size(n, f, s, p, d) == len(fitting)


@pytest.mark.parametrize("channels", [None, 3])
@pytest.mark.parametrize("f,s,d", [(3, 1, 1), (3, 2, 1), (2, 3, 1), (3, 1, 2), (4, 2, 2)])
def test_correlate_matches_loops(channels, f, s, d):
    rng = np.random.default_rng(f * 10 + s + d)
    shape = (9, 11) + ((channels,) if channels else ())
    x = rng.normal(size=shape)
    kernel = rng.normal(size=(f, f) + ((channels,) if channels else ()))
    np.testing.assert_allclose(geometry.correlate(x, kernel, s, d, 0.3),
                               loop_correlate(x, kernel, s, d, 0.3))


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_matches_loops_and_argmax_points_at_the_max(mode):
    x = np.random.default_rng(1).normal(size=(9, 8))
    values, argmax = geometry.pool(x, 3, 2, mode)
    np.testing.assert_allclose(values, loop_pool(x, 3, 2, mode))
    if mode == "max":
        for (i, j), (dr, dc) in zip(np.ndindex(values.shape), argmax.reshape(-1, 2)):
            assert x[i * 2 + dr, j * 2 + dc] == values[i, j]


def test_read_mask_and_ranges_name_the_unread_cells():
    # 8 cells, f=3, s=2: windows 0..2, 2..4, 4..6; cell 7 is never read.
    assert geometry.index_ranges(np.flatnonzero(~geometry.read_mask(8, 3, 2, 1, 3))) == "7"
    # f=2, d=3, s=1 on 7 cells: taps {0,3},{1,4},{2,5},{3,6}: all read.
    assert geometry.read_mask(7, 2, 1, 3, 4).all()
    assert geometry.index_ranges([0, 1, 2, 5, 7, 8]) == "0..2, 5, 7..8"


# ----------------------------------------------------------------------------- convolution


def test_conv_output_equals_numpy_and_arithmetic_shows_that_value():
    ex = explorers.conv_explorer()
    ex.kernel_menu.value = "box blur"
    with ex.hold():
        ex.f_slider.value, ex.stride.value, ex.pad.value, ex.bias.value = 3, 2, 1, 0.25
    x = images.camera_small(8)
    expected = loop_correlate(np.pad(x, 1), np.full((3, 3), 1 / 9), 2, 1, 0.25)
    np.testing.assert_allclose(ex.reference, expected)
    np.testing.assert_allclose(ex.output_panel.im.get_array(), expected)
    ex.stepper.position.value = 5          # output row 1, col 1 (4 columns per row)
    assert f"Z[1, 1] = {expected[1, 1]:.4f}" in ex.arithmetic.value
    assert "reads padded rows 2..4, cols 2..4" in ex.arithmetic.value
    assert "+ b (0.25)" in ex.arithmetic.value
    assert "output shape (4, 4)" in ex.formula.value
    assert "⌊(8 + 2·1 − 3) / 2⌋ + 1 = ⌊7/2⌋ + 1 = 4" in ex.formula.value


def test_conv_window_and_output_cell_rectangles_follow_the_position():
    ex = explorers.conv_explorer()
    ex.pad.value, ex.stride.value = 0, 2
    ex.stepper.position.value = 4          # 3x3 output: row 1, col 1 -> window corner (2, 2)
    assert ex.input_panel.window.get_bbox().bounds == (1.5, 1.5, 3, 3)
    assert ex.output_panel.cell.get_bbox().bounds == (0.5, 0.5, 1, 1)
    below, right = ex.output_panel.covers
    assert below.get_bbox().bounds == (-0.5, 1.5, 3, 1)   # row 2 not written yet
    assert right.get_bbox().bounds == (1.5, 0.5, 1, 1)    # row 1, col 2 not written yet


def test_window_is_drawn_in_red_where_the_rectangle_says():
    ex = explorers.conv_explorer()
    before = picture(ex)
    ex.stepper.position.value = 27
    after = picture(ex)
    assert not np.array_equal(before, after)
    ax = ex.input_panel.ax
    left, top, width, _ = ex.input_panel.window.get_bbox().bounds
    # The window's top edge, halfway along, in picture pixels (y counted from the top).
    px, py = ax.transData.transform((left + width / 2, top))
    py = after.shape[0] - py
    patch = after[int(py) - 2:int(py) + 3, int(px) - 2:int(px) + 3].reshape(-1, 3).astype(int)
    reddish = (patch[:, 0] > 150) & (patch[:, 1] < 90) & (patch[:, 2] < 90)
    assert reddish.any(), f"no red window edge near pixel ({px:.0f}, {py:.0f})"


def test_dilation_widens_the_window_and_marks_taps():
    ex = explorers.conv_explorer()
    ex.pad.value, ex.dilation.value = 0, 2
    assert "f_eff = d(f − 1) + 1 = 2·(3 − 1) + 1 = 5" in ex.formula.value
    assert "output shape (4, 4)" in ex.formula.value
    ex.stepper.position.value = 1
    assert ex.input_panel.window.get_bbox().bounds == (0.5, -0.5, 5, 5)
    cols, rows = ex.input_panel.taps.get_data()
    assert sorted(set(cols)) == [1, 3, 5] and sorted(set(rows)) == [0, 2, 4]
    x = images.camera_small(8)
    np.testing.assert_allclose(ex.reference, loop_correlate(x, ex.kernel, 1, 2))


def test_filter_too_large_is_explained_not_raised():
    ex = explorers.conv_explorer()
    ex.kernel_menu.value = "identity"
    with ex.hold():
        ex.pad.value, ex.f_slider.value, ex.dilation.value = 0, 5, 3   # f_eff = 13 > 8
    assert "does not fit" in ex.notice.value and "f_eff = 13" in ex.notice.value
    assert "output shape empty" in ex.formula.value
    assert ex.stepper.position.disabled and ex.stepper.play.disabled
    assert not ex.input_panel.window.get_visible()
    assert ex.output_panel.empty.get_text().startswith("no output")
    ex.dilation.value = 1                   # and it recovers
    assert "does not fit" not in ex.notice.value
    assert not ex.stepper.position.disabled


def test_stride_that_does_not_divide_names_the_unvisited_rows():
    ex = explorers.conv_explorer()
    ex.pad.value, ex.stride.value = 0, 2       # (8 - 3) = 5 is odd
    assert "not a multiple of the stride 2" in ex.notice.value
    assert "rows and columns 7 are never read" in ex.notice.value
    overlay = ex.input_panel.unread.get_array()
    assert overlay[7, 3, 3] > 0 and overlay[3, 7, 3] > 0 and overlay[3, 3, 3] == 0


def test_fixed_filters_lock_f_and_say_so():
    ex = explorers.conv_explorer()
    ex.kernel_menu.value = "box blur"
    ex.f_slider.value = 5
    ex.kernel_menu.value = "Laplacian"
    assert ex.f_slider.value == 3 and ex.f_slider.disabled
    assert "f is fixed at 3" in ex.notice.value
    np.testing.assert_array_equal(ex.kernel, [[0, 1, 0], [1, -4, 1], [0, 1, 0]])


def test_custom_filter_entries_are_used():
    ex = explorers.conv_explorer()
    ex.kernel_menu.value = "custom 3×3"
    assert ex.custom_box.layout.display == ""
    with ex.hold():
        for w, v in zip(ex.custom, [0, 0, 0, 0, 2, 0, 0, 0, 0]):
            w.value = v
    np.testing.assert_allclose(ex.reference, 2 * images.camera_small(8))  # pad 1: same size


def test_rgb_mode_sums_every_channel_into_one_output():
    ex = explorers.conv_explorer()
    ex.source.value = "astronaut 8×8 RGB"
    x = np.pad(images.astronaut_small(8), ((1, 1), (1, 1), (0, 0)))
    weights = np.repeat(ex.kernel[:, :, None] / 3, 3, axis=2)
    np.testing.assert_allclose(ex.reference, loop_correlate(x, weights, 1, 1))
    ex.stepper.position.value = 9
    text = ex.arithmetic.value
    assert "R:" in text and "G:" in text and "B:" in text and "channel sums added" in text
    assert f"Z[1, 1] = {ex.reference[1, 1]:.4f}" in text
    assert "summed into ONE output channel" in ex.notice.value


def test_non_square_image_argument_gets_both_formulas():
    ex = explorers.conv_explorer(image=np.random.default_rng(0).random((6, 10)))
    assert ex.source.value == "your image 6×10"
    assert "n_H = ⌊(6 + 2·1 − 3) / 1⌋ + 1 = ⌊5/1⌋ + 1 = 6" in ex.formula.value
    assert "n_W = ⌊(10 + 2·1 − 3) / 1⌋ + 1 = ⌊9/1⌋ + 1 = 10" in ex.formula.value


def test_figure_is_drawn_once_and_updated_in_place():
    ex = explorers.conv_explorer()
    artists = [id(a) for ax in ex.canvas.figure.axes for a in ax.get_children()]
    for value in range(1, 4):
        ex.stride.value = value
        ex.stepper.position.value = 1
    ex.source.value = "camera 512×512"
    assert [id(a) for ax in ex.canvas.figure.axes for a in ax.get_children()] == artists


def test_play_frames_reach_the_last_cell_of_a_large_output():
    ex = explorers.conv_explorer()
    ex.source.value = "camera 512×512"
    count = ex.reference.size
    assert ex.stepper.play.max <= explorers.MAX_PLAY_FRAMES
    ex.stepper.play.value = ex.stepper.play.max
    assert ex.stepper.position.value == count - 1
    below, right = ex.output_panel.covers
    assert below.get_height() == 0 and right.get_width() == 0   # fully written


def test_step_button_advances_one_cell():
    ex = explorers.conv_explorer()
    ex.stepper.step.click()
    ex.stepper.step.click()
    assert ex.stepper.position.value == 2
    assert "Z[0, 2]" in ex.arithmetic.value


# ----------------------------------------------------------------------------- learner functions


def test_correct_learner_conv_matches_everywhere():
    ex = explorers.conv_explorer(conv_forward=learner_conv)
    ex.stride.value, ex.bias.value = 2, -0.5
    assert "All 16 values match" in ex.comparison.value
    np.testing.assert_allclose(ex.yours, ex.reference)
    assert not ex.yours_panel.marks.get_array()[..., 3].any()


def test_wrong_learner_conv_marks_cells_and_explains_first_difference():
    def ignores_bias(A_prev, W, b, hparameters):
        return learner_conv(A_prev, W, np.zeros_like(b), hparameters)

    ex = explorers.conv_explorer(conv_forward=ignores_bias)
    ex.pad.value, ex.bias.value = 2, 0.5
    ref, yours = ex.reference[0, 0], ex.yours[0, 0]
    text = ex.comparison.value
    assert f"{ex.reference.size} of {ex.reference.size} cells differ" in text
    assert (f"First difference at row 0, col 0: yours {yours:.4g}, reference {ref:.4g} "
            "— window rows 0..2, cols 0..2 of the padded input") in text
    assert ex.yours_panel.marks.get_array()[..., 3].all()
    ex.stepper.position.value = 3
    assert "✘ reference" in ex.arithmetic.value


def test_first_difference_names_its_window():
    def wrong_from_row_two(A_prev, W, b, hparameters):
        z, cache = learner_conv(A_prev, W, b, hparameters)
        z[0, 2:, 3:, 0] += 1.0
        return z, cache

    ex = explorers.conv_explorer(conv_forward=wrong_from_row_two)
    ex.stride.value = 2       # row 2, col 3 -> window rows 4..6, cols 6..8 of the padded input
    assert "First difference at row 2, col 3" in ex.comparison.value
    assert "window rows 4..6, cols 6..8" in ex.comparison.value
    marks = ex.yours_panel.marks.get_array()[..., 3] > 0
    np.testing.assert_array_equal(marks, ex.diff)
    assert marks.sum() == 2 and marks[2, 3] and marks[3, 3]


@pytest.mark.parametrize("bad,message", [
    (lambda A, W, b, h: 1 / 0, "raised <code>ZeroDivisionError: division by zero</code>"),
    (lambda A, W, b, h: learner_conv(A, W, b, h)[0], "forget to return the cache"),
    (lambda A, W, b, h: (np.zeros((1, 3, 3, 1)), None), "returned output with shape (1, 3, 3, 1); expected (1, 8, 8, 1)"),
    (lambda A, W, b, h: (np.full((1, 8, 8, 1), np.nan), None), "64 NaN or infinite value(s)"),
    (lambda A, W, b, h: ("Z", None), "is not a numeric array"),
    (lambda A, W, b, h: (A[0, 0, 0, 0] * np.ones((1, 8, 8, 1)), {})
     if h["stride"] == 1 and h["pad"] == 1 else None, "All 64 values match"),
])
def test_learner_errors_are_shown_in_the_widget(bad, message):
    ex = explorers.conv_explorer(conv_forward=bad, image=np.full((8, 8), 0.0))
    assert message in ex.comparison.value
    ex.stepper.position.value = 3           # the explorer keeps working
    assert "Z[0, 3]" in ex.arithmetic.value


def test_learner_error_message_points_at_the_learners_line():
    def conv_forward(A_prev, W, b, hparameters):
        stride = hparameters["strides"]     # a typo a learner makes
        return stride

    ex = explorers.conv_explorer(conv_forward=conv_forward)
    # Both the message and the line are HTML-escaped, quotes included (html.escape).
    assert "KeyError: &#x27;strides&#x27;" in ex.comparison.value
    line = conv_forward.__code__.co_firstlineno + 1
    assert f"(line {line}: <code>stride = hparameters[&quot;strides&quot;]     # a typo" in ex.comparison.value


def test_learner_prints_are_captured_and_dilation_is_not_compared():
    def chatty(A_prev, W, b, hparameters):
        print("hello from conv_forward")
        return learner_conv(A_prev, W, b, hparameters)

    ex = explorers.conv_explorer(conv_forward=chatty)
    assert "hello from conv_forward" in ex.printed.value and ex.printed.layout.display == ""
    ex.dilation.value = 2
    assert "no dilation" in ex.comparison.value and ex.yours is None
    assert ex.yours_panel.empty.get_text().startswith("nothing to compare")


# ----------------------------------------------------------------------------- pooling


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_output_equals_numpy_and_marks_the_window(mode):
    ex = explorers.pool_explorer()
    ex.mode.value = mode
    ex.f_slider.value, ex.stride.value = 3, 1     # overlapping windows
    x = images.camera_small(8)
    np.testing.assert_allclose(ex.reference, loop_pool(x, 3, 1, mode))
    ex.stepper.position.value = 7                 # 6x6 output: row 1, col 1
    assert ex.input_panel.window.get_bbox().bounds == (0.5, 0.5, 3, 3)
    assert ex.ghost.get_visible() and ex.ghost.get_bbox().bounds == (-0.5, 0.5, 3, 3)
    assert "overlap by 2" in ex.notice.value
    window = x[1:4, 1:4]
    if mode == "max":
        r, c = np.unravel_index(window.argmax(), (3, 3))
        assert ex.max_mark.get_visible()
        assert ex.max_mark.get_data() == ([1 + c], [1 + r])
        assert f"max = {window.max():.4f}" in ex.arithmetic.value
    else:
        assert not ex.max_mark.get_visible() and ex.input_panel.taps.get_visible()
        cols, rows = ex.input_panel.taps.get_data()
        assert len(cols) == 9 and set(rows) == {1, 2, 3}
        assert f"/ f² (9) = <b>{window.mean():.4f}</b>" in ex.arithmetic.value


def test_pool_not_fitting_and_not_dividing_are_explained():
    ex = explorers.pool_explorer()
    ex.f_slider.value, ex.stride.value = 3, 3     # (8 - 3) = 5, not a multiple of 3
    assert "rows and columns 6..7 are never read" in ex.notice.value
    assert "output shape (2, 2)" in ex.formula.value
    ex.source.value = "camera 8×8"
    ex.f_slider.value = 6
    ex.stride.value = 1
    assert "output shape (3, 3)" in ex.formula.value


def test_pool_learner_comparison_with_ties_and_errors():
    ex = explorers.pool_explorer(pool_forward=learner_pool)
    ex.mode.value = "average"
    assert "All 9 values match" in ex.comparison.value

    def max_always(A_prev, hparameters, mode="max"):
        return learner_pool(A_prev, hparameters, "max")

    ex = explorers.pool_explorer(pool_forward=max_always)
    ex.mode.value = "average"
    assert "cells differ" in ex.comparison.value and "First difference at row 0, col 0" in ex.comparison.value
    ex = explorers.pool_explorer(pool_forward=lambda A, h, mode: (_ for _ in ()).throw(ValueError("boom")))
    assert "ValueError: boom" in ex.comparison.value


# ----------------------------------------------------------------------------- padding


def test_padding_shape_and_border_follow_the_slider():
    ex = explorers.padding_explorer()
    ex.pad.value = 20
    assert "(512 + 2·20, 512 + 2·20) = <b>(552, 552)</b>" in ex.readout.value
    assert ex.padded.shape == (552, 552)
    assert ex.padded[:20].max() == 0 and ex.padded[20:-20, 20:-20].max() > 0
    assert ex.im.get_extent() == [-20.5, 531.5, 531.5, -20.5]
    assert "p = 20: 512×512 → 552×552" in ex.ax.get_title()
    ex.source.value = "astronaut 16×16 RGB"
    ex.pad.value = 3
    assert "<b>(22, 22, 3)</b>" in ex.readout.value and ex.padded.shape[:2] == (22, 22)
    np.testing.assert_array_equal(ex.padded[0, 0], [0, 0, 0, 255])   # opaque black border
    assert ex.pad.max == 4


def test_padding_picture_shows_a_black_border():
    ex = explorers.padding_explorer()
    ex.source.value = "camera 16×16"
    ex.pad.value = 4
    ax = ex.ax
    px, py = ax.transData.transform((-2, 8))          # inside the left border
    pixel = picture(ex)[picture(ex).shape[0] - int(py), int(px)]
    assert pixel.max() < 30, pixel
    ex.pad.value = 0
    pixel = picture(ex)[picture(ex).shape[0] - int(py), int(px)]
    assert pixel.min() > 150, pixel                   # the light "outside" colour


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("layer", ["conv", "max pool", "average pool"])
def test_accumulated_gradients_equal_numerical_gradients(layer):
    ex = explorers.gradient_explorer()
    ex.layer.value = layer
    with ex.hold():
        ex.f_slider.value, ex.stride.value = 2, 1
    ex.stepper.position.value = ex.stepper.position.max
    f = 2
    if layer == "conv":
        total = lambda a: loop_correlate(a, ex.w, 1, 1).sum()
        w = ex.w.copy()
        np.testing.assert_allclose(ex.dw, numerical_gradient(
            lambda: loop_correlate(ex.a, w, 1, 1).sum(), w), atol=1e-6)
    else:
        total = lambda a: loop_pool(a, f, 1, "max" if layer == "max pool" else "average").sum()
    assert len(np.unique(ex.a)) == ex.a.size      # no ties: the max is differentiable
    a = ex.a.copy()
    np.testing.assert_allclose(ex.da, numerical_gradient(lambda: total(a), a), atol=1e-5)


def test_gradient_of_one_cell_is_the_window_scaled_by_w_or_one_max():
    ex = explorers.gradient_explorer()
    with ex.hold():
        ex.f_slider.value, ex.stride.value = 3, 1
    ex.stepper.position.value = 5          # 4x4 output: row 1, col 1
    expected = np.zeros((6, 6))
    expected[1:4, 1:4] = ex.w
    np.testing.assert_array_equal(ex.alone, expected)
    assert ex.window.get_bbox().bounds == (0.5, 0.5, 3, 3)
    assert "dA_prev[rows 1..3, cols 1..3] += W × dZ[1, 1]" in ex.arithmetic.value
    ex.layer.value = "max pool"
    assert ex.alone.sum() == 1 and ex.alone[1:4, 1:4].sum() == 1
    r, c = np.unravel_index(ex.alone.argmax(), ex.alone.shape)
    assert ex.a[r, c] == ex.a[1:4, 1:4].max()
    ex.layer.value = "average pool"
    np.testing.assert_allclose(ex.alone[1:4, 1:4], 1 / 9)
    assert "dZ[1, 1] / 9 = 0.1111" in ex.arithmetic.value
