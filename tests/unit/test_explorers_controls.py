"""Headless tests of what every explorer shares: your own image (upload), the Play speed, the
readouts while playing, the equivalent calls, labelled panels, the guided tours, controls a keyboard
reaches, and pictures that say what they show."""

import html
import io
import json
import re
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

from convstep import explorers, images
from convstep.explorers import tour

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPLORERS = ["padding_explorer", "conv_explorer", "pool_explorer", "gradient_explorer",
             "transposed_explorer", "receptive_field_explorer", "network_explorer"]


def image_file(array, kind="PNG"):
    out = io.BytesIO()
    Image.fromarray(array).save(out, format=kind)
    return out.getvalue()


def upload(widget, name, content):
    """What the browser sends when a file is chosen: the widget's own deserializer runs."""
    widget.images.upload.set_state({"value": [{"name": name, "type": "", "size": len(content),
                                               "content": memoryview(content), "last_modified": 0}]})


@pytest.fixture(scope="module")
def conv():
    return explorers.conv_explorer()


def test_uploaded_colour_png_becomes_the_input_at_a_working_size(conv):
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, size=(300, 600, 3), dtype=np.uint8)
    upload(conv, "holiday.png", image_file(picture))
    assert conv.source.value == "holiday 256×512"
    assert "holiday 16×16" in conv.source.options
    assert conv.x.shape == (256, 512, 3) and 0 <= conv.x.min() and conv.x.max() <= 1
    assert "✔ holiday.png: 256×512 RGB" in conv.images.message.value
    expected = np.asarray(Image.fromarray(picture).resize((512, 256), Image.Resampling.BOX)) / 255
    np.testing.assert_allclose(conv.x, expected)
    assert conv.reference.shape == (256, 512)          # pad 1, f 3, stride 1: same size
    conv.source.value = "holiday 16×16"
    assert conv.x.shape == (16, 16, 3)


@pytest.mark.parametrize("name,content,message", [
    ("notes.txt", b"this is not a picture", "not an image that can be read"),
    ("big.png", b"\x89PNG" + bytes(10 * 1024 * 1024), "the limit is 10 MB"),
    ("cut.png", image_file(np.zeros((64, 64), np.uint8))[:60], "could not be decoded"),
    ("anim.gif", image_file(np.zeros((8, 8), np.uint8), "GIF"), "please choose a PNG or JPEG"),
])
def test_bad_files_are_explained_and_the_image_is_kept(conv, name, content, message):
    conv.source.value = "camera 8×8"
    options, reference = conv.source.options, conv.reference.copy()
    upload(conv, name, content)
    assert message in conv.images.message.value and "The current image is kept" in conv.images.message.value
    assert conv.source.options == options and conv.source.value == "camera 8×8"
    np.testing.assert_array_equal(conv.reference, reference)


def test_gray_jpeg_into_pooling_and_padding():
    gray = (np.add.outer(np.arange(40), np.arange(30)) * 3).astype(np.uint8)
    pool = explorers.pool_explorer()
    upload(pool, "ramp.jpg", image_file(gray, "JPEG"))
    assert pool.source.value == "ramp 40×30" and pool.x.shape == (40, 30)
    np.testing.assert_allclose(pool.x, gray / 255, atol=0.03)      # JPEG is lossy
    pad = explorers.padding_explorer()
    upload(pad, "ramp.jpg", image_file(gray, "JPEG"))
    assert pad.source.value == "ramp 40×30"
    pad.pad.value = 2
    assert "<b>(44, 34)</b>" in pad.readout.value
    assert pad.play.max == pad.pad.max == 10


def test_speed_slider_sets_the_time_between_frames(conv):
    assert conv.stepper.speed.value == explorers.FPS == 40
    assert conv.stepper.player.interval_ms == 25
    conv.stepper.speed.value = 30
    assert conv.stepper.player.interval_ms == 33
    conv.stepper.speed.value = 40
    # The browser's own timer never fires after the first step: the kernel times the frames.
    assert conv.stepper.play.interval >= 24 * 3600 * 1000


def test_kernel_timed_play_runs_to_the_end_at_the_chosen_speed():
    """Play as in a kernel: an asyncio event loop runs while the browser waits."""
    import asyncio
    import time

    grad = explorers.gradient_explorer()          # 16 output cells
    grad.stepper.speed.value = 50
    seen = []
    grad.stepper.position.observe(lambda change: seen.append(time.monotonic()), "value")

    async def press_play():
        grad.stepper.play.playing = True
        while grad.stepper.play.playing:
            await asyncio.sleep(0.01)

    asyncio.run(asyncio.wait_for(press_play(), timeout=30))
    assert grad.stepper.position.value == 15 and seen and len(seen) == 15
    assert "after 16 of 16 output cells" in grad.arithmetic.value
    gaps = np.diff(seen)
    assert np.median(gaps) >= 0.015       # 50 frames/s: 20 ms apart, never all at once


def test_readouts_are_skipped_while_playing_and_written_when_play_stops(conv):
    conv.source.value = "camera 8×8"
    conv.stepper.text_every_s = 60          # no second readout during this test while playing
    try:
        conv.stepper.play.playing = True
        conv.stepper.position.value = 3
        assert "Z[0, 3]" in conv.arithmetic.value       # the first frame of a Play writes
        picture = conv.canvas.image.value
        conv.stepper.position.value = 4
        assert "Z[0, 3]" in conv.arithmetic.value       # skipped: still the previous numbers
        assert conv.canvas.image.value != picture       # but the picture moved
        conv.stepper.play.playing = False
        assert "Z[0, 4]" in conv.arithmetic.value
    finally:
        conv.stepper.text_every_s = explorers.controls.TEXT_EVERY_S


def test_equivalent_calls_follow_the_settings(conv):
    conv.source.value = "camera 8×8"
    conv.stride.value, conv.pad.value, conv.dilation.value = 2, 1, 1
    text = html.unescape(conv.calls.value)
    assert "torch.nn.functional.conv2d(x, w, bias=torch.tensor([0]), stride=2, padding=1, dilation=1)" in text
    assert 'Z, cache = conv_forward(A_prev, W, b, {"stride": 2, "pad": 1})' in text
    conv.stride.value = 1
    pool = explorers.pool_explorer()
    pool.mode.value = "average"
    text = html.unescape(pool.calls.value)
    assert "torch.nn.functional.avg_pool2d(x, kernel_size=3, stride=2)" in text
    assert 'pool_forward(A_prev, {"f": 3, "stride": 2}, mode="average")' in text


def test_every_panel_of_every_explorer_is_labelled_and_sized():
    for name in EXPLORERS:
        ex = getattr(explorers, name)()
        assert ex.calls.value, name
        for ax in ex.canvas.figure.axes:
            if not ax.get_visible():
                continue
            assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
            assert re.search(r"\d+×\d+|p = \d+|W$|dW$|\(\d+(, \d+)*,?\)", ax.get_title()), \
                (name, ax.get_title())


def test_answer_button_reveals_and_hides():
    box = tour.answer("convolution", 1)
    button, text = box.children
    assert text.layout.display == "none" and "⌊7/2⌋ + 1 = 4" in text.value
    button.click()
    assert text.layout.display == "" and button.description == "hide the answer"
    button.click()
    assert text.layout.display == "none"


def test_tour_notebooks_are_lessons_without_outputs():
    calls = set()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        book = json.loads(path.read_text())
        code = [c for c in book["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path.name
        found = re.findall(r'answer\("(\w+)", (\d+)\)', "".join("".join(c["source"]) for c in code))
        if path.name != "index.ipynb":
            assert len(found) >= 3, f"{path.name}: a guided tour has at least three tasks"
        calls |= {(name, int(k)) for name, k in found}
    assert calls == set(tour.ANSWERS)
    assert {notebook for notebook, *_ in tour.GALLERY} == {p.name for p in NOTEBOOKS.glob("0*.ipynb")}


def test_thumbnail_is_a_small_jpeg_of_the_explorer():
    uri = tour.thumbnail(explorers.transposed_explorer(), width=200)
    import base64
    picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert picture.format == "JPEG" and picture.width == 200


def test_from_bytes_keeps_gray_gray_and_shrinks_only():
    gray = np.full((20, 10), 128, np.uint8)
    out = images.from_bytes(image_file(gray))
    assert out.shape == (20, 10) and np.allclose(out, 128 / 255)
    assert images.from_bytes(image_file(gray), max_side=10).shape == (10, 5)
    assert images.from_bytes(image_file(gray), size=(4, 4)).shape == (4, 4)


# ----------------------------------------------------------------------------- keyboard, words

# Widgets whose view is a native focusable element (button, select, input, textarea) or a
# noUiSlider handle (tabindex 0, moved by the arrow keys): Tab reaches them, keys operate them.
KEYBOARD_KINDS = (widgets.Button, widgets.ToggleButtons, widgets.Dropdown, widgets.IntSlider,
                  widgets.FloatSlider, widgets.Play, widgets.FileUpload, widgets.FloatText,
                  widgets.Textarea)
NOT_CONTROLS = (widgets.Box, widgets.HTML, widgets.Label, widgets.Image)


def controls_of(widget):
    """Every widget under widget that is not a container or a display."""
    if isinstance(widget, widgets.Box):
        return [c for child in widget.children for c in controls_of(child)]
    return [] if isinstance(widget, NOT_CONTROLS) else [widget]


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_control_is_reachable_and_named_for_the_keyboard(name):
    ex = getattr(explorers, name)()
    found = controls_of(ex)
    assert found, name
    for control in found:
        kind = type(control).__name__
        assert isinstance(control, KEYBOARD_KINDS), f"{name}: a {kind} has no keyboard path"
        assert control.tabbable is not False, f"{name}: {kind} taken out of the Tab order"
        label = getattr(control, "description", "") or control.tooltip
        assert label, f"{name}: a {kind} without a name for a screen reader"
    stepper = getattr(ex, "stepper", None) or ex.player
    assert stepper.play in found                        # ▶ is a control like any other


def test_every_picture_action_of_the_network_has_a_control():
    """A click on the picture and the controls above it do the same thing: a keyboard user
    reaches every picture action through them (the receptive field's cell slider: see its tests)."""
    by_mouse, by_keys = explorers.network_explorer(), explorers.network_explorer()
    for ex in (by_mouse, by_keys):
        ex.stepper.position.value = 2
    mouse = lambda kind, ax, row, col: by_mouse.presses._handle_mouse_msg(
        None, {"event": kind, "dataX": by_mouse.canvas.pixel(ax, col, row)[0],
               "dataY": by_mouse.canvas.pixel(ax, col, row)[1], "buttons": 1}, [])
    r0, c0 = by_mouse.big.origin(6)
    mouse("mousedown", by_mouse.ax_relu, r0 + 4, c0 + 1)
    with by_keys.hold():
        by_keys.layer.value, by_keys.map.value, by_keys.row.value, by_keys.col.value = "ReLU A1", 6, 4, 1
    assert by_mouse.selected == by_keys.selected and by_mouse.trace.value == by_keys.trace.value
    mouse("mousedown", by_mouse.ax_scores, 4, 0.5)
    by_keys.chosen.value = 4
    np.testing.assert_array_equal(by_mouse.saliency, by_keys.saliency)
    pair = [(t, p) for (t, p), n in np.ndenumerate(by_mouse.confusion) if n and t != p][0]
    mouse("mousedown", by_mouse.ax_confusion, *pair)
    by_keys.digit_set.value = pair
    assert by_mouse.source.options == by_keys.source.options
    mouse("mousedown", by_mouse.ax_input, 5, 2)
    with by_keys.hold():
        by_keys.layer.value, by_keys.row.value, by_keys.col.value = "input x", 5, 2
    by_keys.paint.click()
    np.testing.assert_array_equal(by_mouse.raw, by_keys.raw)
    assert by_mouse.describe() == by_keys.describe()


@pytest.mark.parametrize("name,act,words", [
    ("padding_explorer", lambda ex: setattr(ex.pad, "value", 3), lambda ex: "512×512 becomes 518×518"),
    ("conv_explorer", lambda ex: setattr(ex.stepper.position, "value", 9),
     lambda ex: f"up to cell (1, 1) = {ex.reference[1, 1]:.4g}, from the window at rows 1..3, cols 1..3"),
    ("pool_explorer", lambda ex: setattr(ex.stepper.position, "value", 4),
     lambda ex: f"up to cell (1, 1) = {ex.reference[1, 1]:.4g}, from the window at rows 2..4"),
    ("gradient_explorer", lambda ex: setattr(ex.stepper.position, "value", 5),
     lambda ex: "output cell (1, 1) sends its gradient to input rows 1..3, cols 1..3"),
    ("transposed_explorer", lambda ex: setattr(ex.stepper.position, "value", 4),
     lambda ex: f"Input cell (1, 1) = {ex.x[1, 1]:g} paints the filter"),
    ("receptive_field_explorer", lambda ex: setattr(ex.stepper.position, "value", 17),
     lambda ex: "Cell (1, 2) of the last layer (15×15)"),
    ("network_explorer", lambda ex: setattr(ex.stepper.position, "value", 3),
     lambda ex: f"test digit #3 (true label {ex.test_labels[3]}): predicted {ex.prediction}"),
])
def test_each_picture_says_what_it_shows_now(name, act, words):
    ex = getattr(explorers, name)()
    before = ex.canvas.image.tooltip
    act(ex)
    text = ex.canvas.image.tooltip
    assert text != before and words(ex) in text, text
    assert text == ex.describe()          # the words of the frame on screen, sent with it


def test_raster_paints_each_cell_over_its_pixels_and_keeps_transparent_ones():
    canvas = explorers.canvas.Canvas((4.0, 3.0))
    ax = canvas.figure.subplots()
    ax.set_facecolor((0.0, 0.0, 1.0))                      # blue under the transparent cells
    cells = np.random.default_rng(5).integers(0, 256, (5, 7, 4)).astype(np.uint8)
    cells[..., 3] = 255
    cells[1, 2, 3] = cells[4, 6, 3] = 0                     # two transparent cells
    raster = canvas.animate(explorers.canvas.Raster(ax, (5, 7)))
    raster.set_data(cells)
    ax.set_xlim(-0.5, 6.5)
    ax.set_ylim(4.5, -0.5)
    canvas.redraw()
    buffer = np.asarray(canvas.figure.canvas.buffer_rgba())
    for row, col in np.ndindex(5, 7):
        for dx, dy in [(0, 0), (-0.4, -0.4), (0.4, 0.4)]:   # the centre and near two corners
            x, y = canvas.pixel(ax, col + dx, row + dy)
            pixel = buffer[int(y), int(x)]
            expected = [0, 0, 255, 255] if cells[row, col, 3] == 0 else cells[row, col]
            assert list(pixel) == list(expected), (row, col, dx, dy)
    assert ax.get_aspect() == 1.0                           # square cells, as imshow's
