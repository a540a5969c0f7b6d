"""Headless tests of the network explorer: its numbers against a learner's layer functions (the
course's loop solutions), its saliency map against a numerical gradient, the
mouse drawing, the clicks, the learner's errors, and the trained network of the tours."""

import asyncio
import io

import numpy as np
import pytest
from PIL import Image

from convstep.checks import numerical_gradient
from convstep.explorers import digitnet, network_explorer, tour
from convstep.explorers.network import DRAWING
from convstep.notebooks import grade_id, is_test
from convstep.notebooks import read as read_notebook


# ----------------------------------------------------------------------------- a learner's layers

LAYERS = ["conv_forward", "conv_backward", "relu_forward", "relu_backward", "pool_forward", "pool_backward",
          "affine_forward", "affine_backward"]
YOURS = "the course's solution"  # in a parametrized case: the learner's function is the course's own


@pytest.fixture(scope="module")
def learner(solutions):
    """A learner's layer functions: the course's solutions (the loop versions of notebooks 2-4 and 6)."""
    return {name: solutions[name] for name in LAYERS}


@pytest.fixture(scope="module")
def layers(learner):
    def every_layer(params, x):
        """Every layer of one network input x (8, 8) through the learner's functions."""
        Z1, _ = learner["conv_forward"](x[None, :, :, None], params["W1"], params["b1"], {"stride": 1, "pad": 1})
        A1, _ = learner["relu_forward"](Z1)
        P, _ = learner["pool_forward"](A1, {"f": 2, "stride": 2})
        scores, _ = learner["affine_forward"](P, params["W2"], params["b2"])
        return Z1[0], A1[0], P[0], scores[0]
    return every_layer


@pytest.fixture(scope="module")
def untied():
    """40 test digits, each pixel moved by less than 0.001: no two windows are equal, so no
    maximum of a pooling window is tied (where the max has no derivative, and where a central
    difference splits the gradient between the tied cells)."""
    data = digitnet.digits()
    noise = np.random.default_rng(23).uniform(-1e-3, 1e-3, (40, 8, 8))
    x = digitnet.network_input(data.test[:40], data.pixel_mean) + noise
    return digitnet.trained(), x[..., None], data.y_test[:40], data.pixel_mean


@pytest.fixture(scope="module")
def yours(untied, learner):
    return network_explorer(*untied, **learner)


@pytest.fixture
def ours():
    return network_explorer()


def press(ex, kind, x, y, buttons=1):
    """A mouse event as ipyevents sends it from the browser: its position in picture pixels."""
    target = ex.moves if kind == "mousemove" else ex.presses
    target._handle_mouse_msg(None, {"event": kind, "dataX": x, "dataY": y, "buttons": buttons}, [])


def at(ex, ax, row, col):
    """Picture pixel (from the top left) of cell (row, col) of an axes."""
    return ex.canvas.pixel(ax, col, row)


def mosaic_pixel(ex, ax, mosaic, k, row, col):
    r0, c0 = mosaic.origin(k)
    return at(ex, ax, r0 + row, c0 + col)


# ----------------------------------------------------------------------------- the network's numbers


def notebook_6(course, monkeypatch):
    """Notebook 6 (source, with its solutions) run here up to the cell that keeps an epoch: its code
    cells in order, without its test cells and without the cell that reads notebook 5 (the
    course's layers stay), the figures closed unseen. Its namespace."""
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: plt.close("all"))
    namespace = {}
    for cell in read_notebook(course.notebook(course.source, "06_train_a_cnn")).cells:
        if cell.cell_type == "code" and not is_test(cell) and "functions_from" not in cell.source:
            exec(compile(cell.source, grade_id(cell) or "a cell of notebook 6", "exec"), namespace)
            if "best" in namespace:
                return namespace
    raise AssertionError("notebook 6 keeps no epoch (no cell defines best)")


def test_the_tours_network_is_notebook_6s(course, monkeypatch):
    """digitnet's split, pixel mean and trained weights are those notebook 6 computes (a change to
    its data, initialization, seeds, epochs, learning rate or epoch choice makes this fail)."""
    nb, data, params = notebook_6(course, monkeypatch), digitnet.digits(), digitnet.trained()
    assert data.pixel_mean == nb["pixel_mean"]
    for name in ["train", "val", "test"]:
        np.testing.assert_array_equal(digitnet.network_input(getattr(data, name), data.pixel_mean)[..., None],
                                      nb[f"X_{name}"])
        np.testing.assert_array_equal(getattr(data, f"y_{name}"), nb[f"y_{name}"])
    assert [len(data.y_train), len(data.y_val), len(data.y_test)] == [1150, 287, 360]
    for name, value in nb["params"].items():
        np.testing.assert_allclose(params[name], value, rtol=0, atol=1e-12, err_msg=name)


def test_trained_network_and_reference_arithmetic_agree_with_the_loops(layers):
    params, data = digitnet.trained(), digitnet.digits()
    x = digitnet.network_input(data.test, data.pixel_mean)
    reference = digitnet.forward(params, x)
    loops = [layers(params, one) for one in x[:25]]
    for name, index in [("z1", 0), ("a1", 1), ("p", 2), ("scores", 3)]:
        np.testing.assert_allclose(reference[name][:25], [each[index] for each in loops], atol=1e-12)
    accuracy = np.mean(reference["scores"].argmax(axis=1) == data.y_test)
    assert accuracy >= 0.95, f"the tours' network reads only {accuracy:.1%} of the held-out digits"


@pytest.mark.parametrize("position", [0, 7, 39])
def test_feature_maps_are_the_learners_forward_pass(yours, layers, position):
    yours.stepper.position.value = position
    z1, a1, p, scores = layers(yours.params, yours.x)
    np.testing.assert_array_equal(yours.z1, z1)
    np.testing.assert_array_equal(yours.a1, a1)
    np.testing.assert_array_equal(yours.p, p)
    np.testing.assert_array_equal(yours.scores, scores)
    assert yours.prediction == scores.argmax()
    assert set(yours.used.values()) == {"yours"} and len(yours.used) == 8
    assert "agrees with the explorer's reference" in yours.report.value
    # The conv panel shows those numbers: map 5, row 2, col 6 on the gray scale of the layer.
    r0, c0 = yours.big.origin(5)
    level = yours.map_ims[yours.ax_conv].get_array()[r0 + 2, c0 + 6, 0]
    expected = np.clip((z1[2, 6, 5] + yours.z_limit) / (2 * yours.z_limit), 0, 1) * 255
    assert abs(int(level) - expected) <= 0.5


def test_a_learners_wrong_numbers_are_shown_and_reported():
    def leaky(Z):
        return np.where(Z > 0, Z, 0.1 * Z), Z

    ex = network_explorer(relu_forward=leaky)
    np.testing.assert_array_equal(ex.a1, np.where(ex.z1 > 0, ex.z1, 0.1 * ex.z1))
    negative = int((ex.z1 < 0).sum())
    assert (f"Your <code>relu_forward</code> differs from the reference at {negative} of 512 "
            "values") in ex.report.value and "the pictures show yours" in ex.report.value
    assert ex.used["relu_forward"] == "yours" and ex.used["conv_forward"] == "reference"


@pytest.mark.parametrize("which", ["reference", "yours"])
def test_saliency_is_the_numerical_gradient_of_the_class_score(yours, untied, layers, which):
    ex = yours if which == "yours" else network_explorer(*untied)
    ex.stepper.position.value = 11
    x = ex.x.copy()
    for c in [ex.prediction, (ex.prediction + 3) % 10]:
        ex.chosen.value = c
        expected = numerical_gradient(lambda: layers(ex.params, x)[3][c], x, eps=1e-7)
        np.testing.assert_allclose(ex.saliency, expected, atol=1e-6)
        assert np.abs(expected).max() > 0.1          # a real gradient, not zeros on both sides
        np.testing.assert_allclose(ex.feeds.sum() + ex.params["b2"][c], ex.scores[c])
        assert f"<b>Score {c}</b>" in ex.feeds_text.value
    assert ex.used["conv_backward"] == ("yours" if which == "yours" else "reference")
    ex.chosen.value = -1


# ----------------------------------------------------------------------------- drawing


def test_drawing_with_the_mouse_sets_the_cells_it_crosses(ours, layers):
    digit = ours.raw.copy()
    x, y = at(ours, ours.ax_input, 2, 3)
    press(ours, "mousedown", x, y)
    assert ours.source.value == DRAWING
    expected = digit.copy()
    expected[2, 3] = 16
    np.testing.assert_array_equal(ours.raw, expected)         # the digit, with one cell drawn
    for col in (4, 5, 6):
        press(ours, "mousemove", *at(ours, ours.ax_input, 3, col))
        expected[3, col] = 16
    press(ours, "mousemove", *at(ours, ours.ax_input, -1, 6))  # the padding: not drawable
    np.testing.assert_array_equal(ours.raw, expected)
    assert ours.selected == ("input x", 0, 3, 6)
    press(ours, "mouseup", *at(ours, ours.ax_input, 3, 6), buttons=0)
    press(ours, "mousemove", *at(ours, ours.ax_input, 7, 7), buttons=0)   # a hover draws nothing
    press(ours, "mousemove", *at(ours, ours.ax_input, 7, 6))              # nor a drag from outside
    np.testing.assert_array_equal(ours.raw, expected)
    np.testing.assert_allclose(ours.x, expected / 16 - ours.pixel_mean)
    np.testing.assert_allclose(ours.z1, layers(ours.params, ours.x)[0])   # recomputed

    ours.tool.value, ours.ink.value = "pen", 9
    press(ours, "mousedown", *at(ours, ours.ax_input, 7, 0))
    press(ours, "mousemove", *at(ours, ours.ax_input, 7, 1), buttons=0)   # released outside
    press(ours, "mousemove", *at(ours, ours.ax_input, 7, 2))             # the stroke has ended
    expected[7, 0] = 9
    np.testing.assert_array_equal(ours.raw, expected)
    ours.tool.value = "eraser"
    press(ours, "mousedown", *at(ours, ours.ax_input, 3, 4))
    press(ours, "mouseup", *at(ours, ours.ax_input, 3, 4), buttons=0)
    expected[3, 4] = 0
    np.testing.assert_array_equal(ours.raw, expected)
    assert ours.label is None and "your drawing" in ours.summary.value


def test_drawing_by_keyboard_and_clear(ours):
    ours.clear.click()
    assert ours.source.value == DRAWING and not ours.raw.any()
    with ours.hold():
        ours.layer.value = "input x"
        ours.row.value, ours.col.value = 1, 6
    assert ours.map.disabled and not ours.paint.disabled
    ours.ink.value = 12
    ours.paint.click()
    expected = np.zeros((8, 8))
    expected[1, 6] = 12
    np.testing.assert_array_equal(ours.raw, expected)
    assert "<b>x[1, 6]</b> = 12 / 16" in ours.trace.value
    ours.layer.value = "conv Z1"
    assert ours.paint.disabled


# ----------------------------------------------------------------------------- tracing by click


def test_a_click_on_a_map_cell_traces_its_window_filter_and_arithmetic(ours):
    ours.stepper.position.value = 4
    press(ours, "mousedown", *mosaic_pixel(ours, ours.ax_conv, ours.big, 5, 2, 6))
    assert ours.selected == ("conv Z1", 5, 2, 6)
    assert (ours.layer.value, ours.map.value, ours.row.value, ours.col.value) == ("conv Z1", 5, 2, 6)
    window = np.pad(ours.x, 1)[2:5, 6:9]
    z = np.sum(window * ours.params["W1"][:, :, 0, 5]) + ours.params["b1"].ravel()[5]
    assert np.isclose(z, ours.z1[2, 6, 5])
    assert f"= {z:.4f}</b> ✔" in ours.trace.value and "rows 1..3, cols 5..7" in ours.trace.value
    assert "filter k = 5" in ours.ax_filter.get_title()
    np.testing.assert_array_equal(ours.filter_im.get_array(), ours.params["W1"][:, :, 0, 5])
    assert f"conv Z1 map 5, row 2, col 6 = {z:.3f}" in ours.canvas.image.tooltip

    press(ours, "mousedown", *mosaic_pixel(ours, ours.ax_pool, ours.small, 3, 1, 2))
    assert ours.selected == ("max pool P", 3, 1, 2) and ours.row.max == 3
    block = ours.a1[2:4, 4:6, 3]
    assert f"<b>{block.max():.4f}</b>" in ours.trace.value and ours.p[1, 2, 3] == block.max()
    verts = ours.frames[ours.ax_relu].get_paths()[0].vertices
    r0, c0 = ours.big.origin(3)
    assert (verts[:, 0].min(), verts[:, 1].min()) == (c0 + 4 - 0.5, r0 + 2 - 0.5)    # its 2x2 block

    press(ours, "mousedown", *mosaic_pixel(ours, ours.ax_relu, ours.big, 0, 7, 7))
    assert ours.selected == ("ReLU A1", 0, 7, 7)
    assert f"max(0, {ours.z1[7, 7, 0]:.4f})" in ours.trace.value
    before = ours.selected
    press(ours, "mousedown", *mosaic_pixel(ours, ours.ax_conv, ours.big, 0, -1, 3))   # a label row
    assert ours.selected == before


def test_a_class_bar_click_explains_that_class(ours):
    ours.stepper.position.value = 9
    _, y = at(ours, ours.ax_scores, 3, 0)
    x, _ = ours.canvas.pixel(ours.ax_scores, 0.5, 3)
    press(ours, "mousedown", x, y)
    assert ours.chosen.value == 3 and ours.c == 3
    np.testing.assert_allclose(ours.feeds, ours.p * ours.params["W2"][:, 3].reshape(4, 4, 8))
    assert list(ours.bars[ours.ax_scores].get_linewidths()) == [2.0 * (c == 3) for c in range(10)]
    top = np.unravel_index(ours.feeds.argmax(), ours.feeds.shape)
    assert f"P[{top[0]}, {top[1]}, {top[2]}]" in ours.feeds_text.value
    press(ours, "mousedown", *ours.canvas.pixel(ours.ax_probs, 0.5, 8))
    assert ours.chosen.value == 8


def test_a_confusion_cell_click_lists_the_digits_of_that_pair(ours):
    t, p = [(t, p) for (t, p), n in np.ndenumerate(ours.confusion) if n and t != p][0]
    press(ours, "mousedown", *at(ours, ours.ax_confusion, t, p))
    assert ours.digit_set.value == (t, p)
    wanted = np.flatnonzero((ours.test_labels == t) & (ours.test_predicted == p))
    listed = [name for name in ours.source.options if name.startswith("test #")]
    assert listed == [f"test #{i}, a {t} read as {p}" for i in wanted]
    assert ours.stepper.position.max == len(wanted) - 1
    assert (ours.label, ours.prediction) == (t, p)
    empty = [(a, b) for (a, b), n in np.ndenumerate(ours.confusion) if not n][0]
    press(ours, "mousedown", *at(ours, ours.ax_confusion, *empty))
    assert ours.digit_set.value == (t, p) and "that cell of the confusion matrix is empty" in ours.summary.value
    ours.digit_set.value = "all"
    assert ours.stepper.position.max == 359


def test_play_and_step_go_through_every_digit_of_the_set(ours):
    ours.digit_set.value = "mistakes"
    mistakes = np.flatnonzero(ours.test_predicted != ours.test_labels)
    assert ours.stepper.play.max == len(mistakes) - 1          # every digit is a frame
    ours.stepper.step.click()
    assert ours.digit == mistakes[1]
    seen = []
    ours.source.observe(lambda change: seen.append(change["new"]), "value")

    async def play():
        ours.stepper.play.playing = True
        while ours.stepper.play.playing:
            await asyncio.sleep(0.01)

    asyncio.run(asyncio.wait_for(play(), timeout=60))
    assert seen == [f"test #{i}, a {ours.test_labels[i]} read as {ours.test_predicted[i]}" for i in mistakes[2:]]
    assert f"test digit #{mistakes[-1]}" in ours.summary.value     # written when Play ends


# ----------------------------------------------------------------------------- the learner's errors


@pytest.mark.parametrize("functions,message", [
    (dict(relu_forward=lambda Z: 1 / 0), "Your <code>relu_forward</code> raised <code>ZeroDivisionError"),
    (dict(affine_forward=lambda A, W, b: (np.zeros((A.shape[0], 5)), None)),
     "returned Z with shape (1, 5); expected (1, 10)"),
    (dict(conv_forward=YOURS, conv_backward=lambda dZ, cache: dZ),
     "returned a <code>ndarray</code>; expected a tuple <code>(dA_prev, dW, db)</code>"),
    (dict(pool_forward=lambda A, h, mode: (np.full((A.shape[0], 4, 4, 8), np.nan), A)),
     "NaN or infinite"),
    (dict(conv_forward=lambda A, W, b, h: 1 / 0, conv_backward=YOURS),
     "Your <code>conv_backward</code> is not called: <code>conv_forward</code> failed"),
    (dict(relu_backward=YOURS),
     "Your <code>relu_backward</code> is not called: <code>relu_forward</code> was not given"),
])
def test_learner_errors_are_shown_and_the_explorer_keeps_working(learner, functions, message):
    ex = network_explorer(**{name: learner[name] if f == YOURS else f for name, f in functions.items()})
    assert message in ex.report.value
    reference = network_explorer()
    assert ex.prediction == reference.prediction
    np.testing.assert_allclose(ex.saliency, reference.saliency)
    ex.stepper.position.value = 3
    assert "test digit #3" in ex.summary.value


def test_tied_maxima_are_explained_not_called_wrong(learner):
    """On real digits blank regions tie: notebook 4's loops give every tied maximum the gradient,
    the reference the first one; neither is wrong, and the report says so."""
    ex = network_explorer(pool_forward=learner["pool_forward"], pool_backward=learner["pool_backward"])
    assert "tie for the maximum of their pooling window" in ex.report.value
    assert "differs from the reference" not in ex.report.value
    assert ex.used["pool_backward"] == "yours"


def test_bad_arguments_are_refused_with_a_reason():
    params = digitnet.trained()
    del params["W2"]
    with pytest.raises(ValueError, match=r'params\["W2"\] must have shape \(128, 10\)'):
        network_explorer(params)
    with pytest.raises(ValueError, match="with X_test, give its labels"):
        network_explorer(digitnet.trained(), np.zeros((3, 8, 8, 1)))


# ----------------------------------------------------------------------------- upload


def test_an_uploaded_dark_on_light_digit_becomes_an_8x8_input(ours):
    paper = np.full((80, 64), 240, np.uint8)
    paper[10:70, 24:40] = 20            # a dark "1" on light paper: rows 1..6, cols 3..4 of 8×8
    out = io.BytesIO()
    Image.fromarray(paper).save(out, format="PNG")
    content = out.getvalue()
    ours.images.upload.set_state({"value": [{"name": "one.png", "type": "", "size": len(content),
                                             "content": memoryview(content), "last_modified": 0}]})
    assert ours.source.value == "one 8×8" and "one.png" in ours.images.message.value
    expected = np.zeros((8, 8))
    expected[1:7, 3:5] = 16                                     # bright ink on dark paper
    np.testing.assert_array_equal(ours.raw, expected)
    assert "your picture one 8×8" in ours.summary.value


def test_the_tours_answers_match_its_network():
    """The tour's answers that depend on the trained network are its numbers (a changed training
    would make them wrong: this test says so)."""
    ex = network_explorer()
    first, fourth = tour.ANSWERS[("network", 1)], tour.ANSWERS[("network", 4)]
    assert f"x = pixel / 16 − {ex.pixel_mean:.3f}" in first and f"≈ {16 * ex.pixel_mean:.1f}" in first
    mistakes = ex.confusion - np.diag(np.diag(ex.confusion))
    count, total = mistakes.max(), mistakes.sum()
    pairs = np.argwhere(mistakes == count)
    others = mistakes[(mistakes > 0) & (mistakes < count)]
    words = dict(enumerate(["no", "one", "two", "three", "four", "five", "six", "seven", "eight"]))
    assert fourth.startswith(f"{words[len(pairs)].capitalize()}, { {2: 'twice', 3: 'three times'}[count]} each: ")
    for t, p in pairs:
        assert f"{'an' if t == 8 else 'a'} {t} read as {p}" in fourth
    assert (others == 1).all() and f"The other {words[len(others)]} mistakes are single digits" in fourth
    assert f"({total} of the 360 test digits are misread)" in fourth
