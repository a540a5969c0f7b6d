"""Headless tests of what every explorer shares: your own image (upload), the Play speed, the
readouts while playing, the equivalent calls, labelled panels, and the guided tours."""

import html
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convstep import explorers, images
from convstep.explorers import tour

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


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
    for name in ["padding_explorer", "conv_explorer", "pool_explorer", "gradient_explorer",
                 "transposed_explorer", "receptive_field_explorer"]:
        ex = getattr(explorers, name)()
        assert ex.calls.value, name
        for ax in ex.canvas.figure.axes:
            if not ax.get_visible():
                continue
            assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
            assert re.search(r"\d+×\d+|p = \d+|W$|dW$", ax.get_title()), (name, ax.get_title())


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
