"""Benchmark of the explorers (not a pytest test): run `python tests/bench/bench_explorers.py`.

Prints
1. kernel-side milliseconds per frame for a 512x512 image (median over many frames): the
   explorers' update-in-place path (blit the moving artists, encode, hand to the Image widget),
   next to the baseline of re-creating the figure for every frame;
2. frames per second that reach Chromium while Play runs in Voila (image updates counted in the
   page), for the 512x512 photograph and the 8x8 step-by-step input.
"""

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
from test_browser import BIN, CHROMIUM, CHROMIUM_ARGS, NOTEBOOKS, _free_port, _server  # noqa: E402

from convstep import explorers  # noqa: E402

FRAMES = 120
PLAY_SECONDS = 4.0


def median_ms(step, frames=FRAMES):
    """Median wall time of step(k) over frames calls, in milliseconds."""
    times = []
    for k in range(frames):
        start = time.perf_counter()
        step(k)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def conv_in_place():
    ex = explorers.conv_explorer()
    ex.source.value = "camera 512×512"
    count = ex.reference.size
    return median_ms(lambda k: setattr(ex.stepper.position, "value", (k * 2111) % count)), ex


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


def browser_fps(notebook, source=None):
    """Frames per second of picture updates in Chromium while Play runs in Voila.

    notebook -- file in notebooks/; source -- an entry of its input menu, or None to keep it.
    """
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with tempfile.TemporaryDirectory() as work, \
            _server([str(BIN / "voila"), str(NOTEBOOKS), "--no-browser", f"--port={port}",
                     "--Voila.ip=127.0.0.1"], f"http://127.0.0.1:{port}/", work), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/voila/render/{notebook}")
            image = page.locator("img.widget-image").first
            image.wait_for()
            menu = page.locator(".widget-dropdown", has_text="input").locator("select")
            if source is not None and menu.input_value() != source:
                old = image.get_attribute("src")
                menu.select_option(source)
                page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                                       arg=[image.element_handle(), old])
            page.evaluate("""() => {
                window.__loads = [];
                const img = document.querySelector('img.widget-image');
                img.addEventListener('load', () => window.__loads.push(performance.now()));
            }""")
            page.locator(".widget-play button").first.click()
            page.wait_for_timeout(PLAY_SECONDS * 1000)
            # Rate between the first and last picture shown, so a short Play is not undercounted.
            loads = page.evaluate("() => window.__loads")
            if len(loads) < 2:
                return 0.0
            return 1000 * (len(loads) - 1) / (loads[-1] - loads[0])
        finally:
            browser.close()


def main():
    in_place, ex = conv_in_place()
    baseline = median_ms(lambda k: recreate_frame(ex, (k * 2111) % ex.reference.size), frames=20)
    pool = explorers.pool_explorer()
    pool.source.value = "camera 512×512"
    pool_ms = median_ms(lambda k: setattr(pool.stepper.position, "value",
                                          (k * 2111) % pool.reference.size))
    pad = explorers.padding_explorer()
    pad_ms = median_ms(lambda k: setattr(pad.pad, "value", 1 + k % pad.pad.max))
    pad.source.value = "astronaut 512×512 RGB"
    pad_rgb_ms = median_ms(lambda k: setattr(pad.pad, "value", 1 + k % pad.pad.max))
    grad = explorers.gradient_explorer()
    grad_ms = median_ms(lambda k: setattr(grad.stepper.position, "value",
                                          k % (grad.stepper.position.max + 1)))
    print("kernel-side ms per frame, median (512x512 image unless noted):")
    print(f"  convolution, update in place (blit + encode): {in_place:6.1f} ms")
    print(f"  convolution, re-create the figure per frame:  {baseline:6.1f} ms  (baseline)")
    print(f"  pooling, update in place:                     {pool_ms:6.1f} ms")
    print(f"  padding slider, update in place:              {pad_ms:6.1f} ms")
    print(f"  padding slider, RGB, update in place:         {pad_rgb_ms:6.1f} ms")
    print(f"  gradient flow (6x6 input), update in place:   {grad_ms:6.1f} ms")
    print("browser (Voila + Chromium), picture updates per second while Play runs:")
    print(f"  (Play interval {explorers.FRAME_MS} ms: {1000 / explorers.FRAME_MS:.0f} frames/s at most)")
    for notebook, source in (("02_convolution.ipynb", "camera 512×512"),
                             ("02_convolution.ipynb", "camera 8×8"),
                             ("03_pooling.ipynb", "camera 512×512"),
                             ("04_gradients.ipynb", None)):
        label = f"{notebook} on {source}" if source else notebook
        print(f"  {label:40s} {browser_fps(notebook, source):5.1f} frames/s")


if __name__ == "__main__":
    main()
