"""Benchmark of the explorers (not a pytest test): run `.venv/bin/python tests/bench/bench_explorers.py`.

Prints
1. kernel-side milliseconds per frame (median over many frames) for every explorer, on the
   512x512 photograph where the explorer shows one: the update-in-place path (blit the moving
   artists, encode, hand to the Image widget), next to the baseline of re-creating the figure
   for every frame; and the milliseconds of a parameter change (a full redraw);
2. in Chromium through Voila (started from the repository root, so voila.json applies):
   frames per second shown by the page (image load events) while Play runs, for every explorer,
   at the default speed (40 frames/s) and at the slider's maximum (60), with the count of
   pictures shown / received; and the median time from a slider key press to the new picture
   being loaded in the page (slider move -> repaint), timed by the page's own clock; for the
   network explorer also from a mouse move onto a new cell of the input, button held (drawing
   move -> repaint).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from conftest import BIN, CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port, _server  # noqa: E402

from convstep import explorers  # noqa: E402

FRAMES = 120
REPAINTS = 25


def median_ms(step, frames=FRAMES):
    """Median wall time of step(k) over frames calls, in milliseconds."""
    times = []
    for k in range(frames):
        start = time.perf_counter()
        step(k)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def stepping(ex, playing=True):
    """Median ms per frame of moving an explorer's stepper over its positions (as Play does)."""
    ex.stepper.play.playing = playing
    count = ex.stepper.position.max + 1
    try:
        return median_ms(lambda k: setattr(ex.stepper.position, "value", (k * 2111 + 1) % count))
    finally:
        ex.stepper.play.playing = False


def recreate_frame(ex, k):
    """The baseline: a new figure with the same three panels for every frame, drawn in full."""
    fig = Figure(figsize=ex.canvas.figure.get_size_inches(), dpi=explorers.DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax_in, ax_k, ax_out = fig.subplots(1, 3, width_ratios=[1.25, 0.7, 1])
    n_w = ex.reference.shape[1]
    row, col = divmod(k, n_w)
    ax_in.imshow(ex.padded, cmap="gray", interpolation="nearest")
    ax_in.add_patch(Rectangle((col - 0.5, row - 0.5), 3, 3, fill=False, edgecolor="red"))
    ax_k.imshow(ex.kernel, cmap="gray")
    shown = ex.reference.copy()
    shown.ravel()[k + 1:] = np.nan
    ax_out.imshow(shown, cmap="gray", interpolation="nearest")
    for ax in (ax_in, ax_k, ax_out):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_title("panel")
    fig.canvas.draw()
    explorers.encode(fig)


def kernel_side():
    rows = []
    conv = explorers.conv_explorer()
    conv.source.value = "camera 512×512"
    rows.append(("convolution, 512×512, Play frame", stepping(conv)))
    rows.append(("convolution, 512×512, position slider (with arithmetic)", stepping(conv, False)))
    rows.append(("convolution, re-create the figure per frame (baseline)",
                 median_ms(lambda k: recreate_frame(conv, (k * 2111) % conv.reference.size), 20)))
    rows.append(("convolution, 512×512, stride slider (full redraw)",
                 median_ms(lambda k: setattr(conv.stride, "value", 1 + k % 3), 12)))
    pool = explorers.pool_explorer()
    pool.source.value = "camera 512×512"
    rows.append(("pooling, 512×512, Play frame", stepping(pool)))
    pad = explorers.padding_explorer()
    rows.append(("padding, 512×512, pad slider / Play frame",
                 median_ms(lambda k: setattr(pad.pad, "value", 1 + k % pad.pad.max))))
    pad.source.value = "astronaut 512×512 RGB"
    rows.append(("padding, 512×512 RGB, pad slider / Play frame",
                 median_ms(lambda k: setattr(pad.pad, "value", 1 + k % pad.pad.max))))
    grad = explorers.gradient_explorer()
    rows.append(("gradient flow (6×6), Play frame", stepping(grad)))
    trans = explorers.transposed_explorer()
    trans.n_slider.value = 4
    rows.append(("transposed, Play frame", stepping(trans)))
    rows.append(("transposed, position slider (numbers drawn)", stepping(trans, False)))
    field = explorers.receptive_field_explorer()
    rows.append(("receptive field (64×64, 4 layers), Play frame", stepping(field)))
    network = explorers.network_explorer()
    rows.append(("network (8×8 digits, every layer), Play frame", stepping(network)))
    cells = [(k // 8, k % 8) for k in range(64)]
    rows.append(("network, drawing move (a new cell)", median_ms(
        lambda k: network._draw_cell(*cells[k % 64], 16.0 * (k // 64 % 2 == 0), busy=True))))
    return rows


# (notebook, name in the printout, page setup as [(slider label, key, presses)] or a menu entry)
BROWSER_CASES = [
    ("01_padding.ipynb", "padding 512×512", []),
    ("02_convolution.ipynb", "convolution 512×512", "camera 512×512"),
    ("02_convolution.ipynb", "convolution 8×8", []),
    ("03_pooling.ipynb", "pooling 512×512", "camera 512×512"),
    ("04_gradients.ipynb", "gradient flow, f = 1", [("f", "ArrowLeft", 2)]),
    ("05_transposed.ipynb", "transposed, n = 4", [("input n", "ArrowRight", 1)]),
    ("06_receptive_fields.ipynb", "receptive field", []),
    ("07_network.ipynb", "network", []),
]


def _wait_new_picture(page, image, old):
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[image.element_handle(), old])


def _setup(page, image, setup):
    if isinstance(setup, str):
        menu = page.locator(".widget-dropdown", has_text="input").locator("select")
        if menu.input_value() != setup:
            old = image.get_attribute("src")
            menu.select_option(setup)
            _wait_new_picture(page, image, old)
        return
    for label, key, presses in setup:
        for _ in range(presses):
            old = image.get_attribute("src")
            handle = _slider(page, label).locator(".noUi-handle")
            handle.focus()
            handle.press(key)
            _wait_new_picture(page, image, old)


def _slider(page, label):
    return page.locator(".widget-hslider", has=page.locator("label", has_text=label))


def _set_top_speed(page):
    handle = _slider(page, "speed").locator(".noUi-handle")
    handle.focus()
    handle.press("End")                             # the slider's maximum


def _play_fps(page, image):
    """Frames per second loaded by the page while Play runs once to its end."""
    page.evaluate("""() => {
        window.__loads = [];
        window.__sent = 0;
        const img = document.querySelector('img.widget-image');
        if (!window.__onload) {          // one listener, however often this runs
            window.__onload = () => window.__loads.push(performance.now());
            img.addEventListener('load', window.__onload);
            new MutationObserver(() => window.__sent++).observe(img, {attributes: true,
                                                                    attributeFilter: ['src']});
        }
    }""")
    page.locator(".widget-play button").first.click()
    # Play is over when no picture has arrived for a second.
    last, still = None, 0
    while still < 4:
        page.wait_for_timeout(250)
        now = page.evaluate("() => window.__loads.length")
        still = still + 1 if now == last else 0
        last = now
    loads, sent = page.evaluate("() => [window.__loads, window.__sent]")
    if len(loads) < 2:
        return 0.0, f"{len(loads)}/{sent}"
    return 1000 * (len(loads) - 1) / (loads[-1] - loads[0]), f"{len(loads)}/{sent}"


def _press(page, image, label, key):
    """Press key on a slider's handle and wait for the picture it causes."""
    old = image.get_attribute("src")
    handle = _slider(page, label).locator(".noUi-handle")
    handle.focus()
    handle.press(key)
    _wait_new_picture(page, image, old)


def _repaint_ms(page, image, label, presses=REPAINTS):
    """Median ms from a key press on a slider to the new picture being loaded, both as the
    page's own clock sees them (a keydown listener and the image's load event), so the
    driver's round trips to the browser are not counted."""
    page.evaluate("""img => {
        window.__keyAt = window.__loadAt = 0;
        document.addEventListener('keydown', () => { window.__keyAt = performance.now(); },
                                  {capture: true});
        img.addEventListener('load', () => { window.__loadAt = performance.now(); });
    }""", image.element_handle())
    handle = _slider(page, label).locator(".noUi-handle")
    handle.focus()
    times = []
    for k in range(presses):
        handle.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")     # never runs into the end
        page.wait_for_function("() => window.__loadAt > window.__keyAt && window.__keyAt > 0")
        times.append(page.evaluate("() => window.__loadAt - window.__keyAt"))
    return statistics.median(times)


def _drawing_ms(page, image, presses=REPAINTS):
    """Median ms from a mouse move onto a new cell of the network explorer's input, the button
    held, to the new picture loaded (the page's own clock, as _repaint_ms): a stroke over an
    empty grid, one cell per move."""
    local = explorers.network_explorer()      # the same layout as the page's: where cells are
    page.get_by_role("button", name="clear").click()
    page.get_by_text("your drawing: the network reads").wait_for()
    image.scroll_into_view_if_needed()
    box = image.bounding_box()
    scale = box["width"] / image.evaluate("img => img.naturalWidth")

    def where(row, col):
        x, y = local.canvas.pixel(local.ax_input, col, row)
        return box["x"] + x * scale, box["y"] + y * scale

    page.evaluate("""img => {
        window.__moveAt = window.__loadAt = 0;
        img.addEventListener('mousemove', () => { window.__moveAt = performance.now(); },
                             {capture: true});
        img.addEventListener('load', () => { window.__loadAt = performance.now(); });
    }""", image.element_handle())
    snake = [(r, c if r % 2 == 0 else 7 - c) for r in range(8) for c in range(8)]
    old = image.get_attribute("src")
    page.mouse.move(*where(*snake[0]))
    page.mouse.down()
    _wait_new_picture(page, image, old)
    times = []
    for cell in snake[1:presses + 1]:
        page.mouse.move(*where(*cell))                  # one move event, onto an empty cell
        page.wait_for_function("() => window.__loadAt > window.__moveAt && window.__moveAt > 0")
        times.append(page.evaluate("() => window.__loadAt - window.__moveAt"))
    page.mouse.up()
    return statistics.median(times)


def browser():
    """Yields one dict per BROWSER_CASES entry: fps40, fps60 (frames/s), repaint (ms), and for
    the network explorer drawing (ms)."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with tempfile.TemporaryDirectory() as work, \
            _server([str(BIN / "voila"), "notebooks", "--no-browser", f"--port={port}",
                     "--Voila.ip=127.0.0.1"], f"http://127.0.0.1:{port}/", work, cwd=ROOT), \
            sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            only = os.environ.get("BENCH_ONLY")
            for notebook, name, setup in BROWSER_CASES:
                if only and only not in notebook:
                    continue
                page = chromium.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(60_000)
                page.goto(f"http://127.0.0.1:{port}/voila/render/{notebook}")
                image = page.locator("img.widget-image").first
                image.wait_for()
                page.wait_for_function("img => img.complete && img.naturalWidth > 300",
                                       arg=image.element_handle())
                _setup(page, image, setup)
                row = {"name": name}
                row["fps40"], row["frames40"] = _play_fps(page, image)
                label = {"01_padding.ipynb": "pad p", "06_receptive_fields.ipynb": "cell",
                         "07_network.ipynb": "digit"}.get(notebook, "position")
                _set_top_speed(page)
                _press(page, image, label, "Home")          # back to the start
                row["fps60"], row["frames60"] = _play_fps(page, image)
                _press(page, image, label, "Home")
                row["repaint"] = _repaint_ms(page, image, label)
                if notebook == "07_network.ipynb":
                    row["drawing"] = _drawing_ms(page, image)
                yield row
                page.close()
        finally:
            chromium.close()


def main():
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("kernel-side ms per frame, median:")
    for label, ms in kernel_side():
        print(f"  {label:58s} {ms:6.1f} ms")
    print("browser (Voila + Chromium): frames/s while Play runs, and slider move -> repaint:")
    print(f"  {'':24s} {'at speed 40':>14s} {'at speed 60':>14s} {'repaint median':>16s}")
    for row in browser():
        print(f"  {row['name']:24s} {row['fps40']:8.1f} fps   {row['fps60']:8.1f} fps   "
              f"{row['repaint']:9.1f} ms   (shown/received {row['frames40']}, {row['frames60']})", flush=True)
        if "drawing" in row:
            print(f"  {row['name'] + ', drawing move':24s} {'':30s} {row['drawing']:9.1f} ms", flush=True)


if __name__ == "__main__":
    main()
