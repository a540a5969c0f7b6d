"""Headless tests of the transposed convolution explorer: its numbers against plain loops written
here, against the convolution view, and against the gradient of a convolution (conv_backward)."""

import numpy as np
import pytest

from convstep.checks import numerical_gradient
from convstep.explorers import geometry, transposed_explorer
from convstep.explorers.transposed import CONV, SCATTER


def loop_transposed(x, w, s, p, op):
    """Definition by loops: paint w * x[i, j] at (i s, j s), then cut p (and grow op) at the borders."""
    n, f = x.shape[0], w.shape[0]
    size = (n - 1) * s + f + op
    full = np.zeros((size, size))
    for i in range(n):
        for j in range(n):
            for a in range(f):
                for b in range(f):
                    full[i * s + a, j * s + b] += x[i, j] * w[a, b]
    n_out = (n - 1) * s - 2 * p + f + op
    return full[p:p + n_out, p:p + n_out]


def loop_conv(a, w, s, p):
    a = np.pad(a, p)
    f = w.shape[0]
    n = (a.shape[0] - f) // s + 1
    return np.array([[np.sum(a[i * s:i * s + f, j * s:j * s + f] * w) for j in range(n)]
                     for i in range(n)])


@pytest.fixture(scope="module")
def ex():
    return transposed_explorer()


@pytest.mark.parametrize("n,f,s,p,op", [(3, 3, 2, 1, 1), (2, 2, 1, 0, 0), (4, 3, 3, 2, 2),
                                        (3, 4, 2, 3, 0), (4, 1, 2, 0, 1)])
def test_output_equals_loop_reference_and_the_convolution_view(ex, n, f, s, p, op):
    with ex.hold():
        ex.view.value = SCATTER
        ex.n_slider.value, ex.f_slider.value, ex.stride.value = n, f, s
    with ex.hold():                     # the pad ranges follow f and s, so set them after
        ex.pad.value, ex.out_pad.value = p, op
    assert (ex.pad.value, ex.out_pad.value) == (p, op)
    expected = loop_transposed(ex.x, ex.w, s, p, op)
    np.testing.assert_allclose(ex.out, expected)
    assert f"= <b>{expected.shape[0]}</b>" in ex.formula.value
    ex.stepper.position.value = ex.stepper.position.max       # every input cell painted
    np.testing.assert_allclose(ex.im3.get_array(), expected)
    np.testing.assert_allclose(ex.conv_out, expected)        # what the convolution view shows
    assert ex.padded.shape[0] == expected.shape[0] + f - 1    # a stride-1 "valid" convolution
    np.testing.assert_array_equal(ex.flipped, ex.w[::-1, ::-1])


def test_convolution_view_draws_the_zero_inserted_input_and_fills_the_output(ex):
    with ex.hold():
        ex.view.value = SCATTER
        ex.n_slider.value, ex.f_slider.value, ex.stride.value = 3, 3, 2
    with ex.hold():
        ex.pad.value, ex.out_pad.value = 1, 1
    ex.view.value = CONV
    np.testing.assert_array_equal(ex.im0.get_array(), ex.padded)
    assert ex.stepper.position.max == 6 * 6 - 1
    ex.stepper.position.value = 7                  # row 1, col 1
    shown = np.ma.filled(ex.im2.get_array(), np.nan)
    np.testing.assert_allclose(shown.ravel()[:8], ex.out.ravel()[:8])
    assert np.isnan(shown.ravel()[8:]).all()
    assert f"summed = <b>{ex.out[1, 1]:g}</b>; painting gives {ex.out[1, 1]:g} ✔" in ex.arithmetic.value
    ex.view.value = SCATTER


def test_transposed_output_is_conv_backwards_da_prev(ex):
    """dA_prev of a conv (f 3, s 2, p 1) on a 6x6 input is the transposed conv of dZ (op 1)."""
    with ex.hold():
        ex.view.value = SCATTER
        ex.n_slider.value, ex.f_slider.value, ex.stride.value = 3, 3, 2
    with ex.hold():
        ex.pad.value, ex.out_pad.value = 1, 1
    a = np.zeros((6, 6))
    dz = ex.x.copy()
    grad = numerical_gradient(lambda: np.sum(dz * loop_conv(a, ex.w, 2, 1)), a)
    np.testing.assert_allclose(ex.out, grad, atol=1e-6)
    assert "conv_backward" in ex.notice.value and "dA_prev" in ex.notice.value
    calls = ex.calls.value
    assert "conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)" in calls


def test_stepping_paints_one_scaled_filter_at_a_time(ex):
    with ex.hold():
        ex.view.value = SCATTER
        ex.n_slider.value, ex.f_slider.value, ex.stride.value = 3, 3, 2
        ex.pad.value, ex.out_pad.value = 0, 0
    ex.stepper.position.value = 3                   # x[1, 0] = 3
    expected = np.zeros_like(ex.full)
    for k, (i, j) in enumerate(np.ndindex(3, 3)):
        if k <= 3:
            expected[i * 2:i * 2 + 3, j * 2:j * 2 + 3] += ex.x[i, j] * ex.w
    np.testing.assert_allclose(ex.painted, expected)
    assert ex.box2.get_bbox().bounds == (-0.5, 1.5, 3, 3)
    assert "x[1, 0] = 3 paints W × 3 onto rows 2..4, cols 0..2" in ex.arithmetic.value


def test_pad_and_output_padding_ranges_follow_f_and_stride(ex):
    ex.f_slider.value, ex.stride.value = 2, 1
    assert ex.pad.max == 1 and ex.out_pad.max == 0 and ex.out_pad.value == 0
    ex.f_slider.value, ex.stride.value = 4, 3
    assert ex.pad.max == 3 and ex.out_pad.max == 2
    assert geometry.transposed_size(3, 4, 3, 3, 2) == 6
