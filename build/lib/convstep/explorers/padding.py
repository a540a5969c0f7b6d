"""Padding explorer: the zero border growing around a real photograph, and the padded shape."""

import time

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import images
from .canvas import Canvas, display_rgb
from .controls import TEXT_EVERY_S, ImageSource, Player
from .readouts import equivalent_calls, html_box


class PaddingExplorer(widgets.VBox):
    """Zero padding of a real image: the border grows around the unchanged picture.

    The axes keep the original image's coordinates and the largest padded extent, so moving
    the slider only changes the image artist, the border outline and the title (blitted).
    """

    def __init__(self, image=None):
        self.images = ImageSource(image, images.sources(size_options=(512, 16)))
        self.source, self.inputs = self.images.menu, self.images.inputs
        self.pad = widgets.IntSlider(value=0, min=0, max=128, description="pad p",
                                     continuous_update=True, layout=widgets.Layout(width="420px"))
        # Play grows the border p = 0, 1, ...: its value is the pad (kept equal both ways).
        self.player = Player()
        self.play, self.speed = self.player.play, self.player.speed
        self.play.observe(lambda change: setattr(self.pad, "value", change["new"]), "value")
        self._last_text = 0.0
        self.play.observe(lambda change: change["new"] or self._on_pad(), "playing")
        self.canvas = Canvas((6.2, 6.2))
        self.ax = self.canvas.figure.subplots()
        # Outside the padded array: light, so the black zero border stands out against it.
        self.ax.set_facecolor("0.85")
        self.im = self.canvas.animate(self.ax.imshow(np.zeros((1, 1)), cmap="gray", vmin=0, vmax=1,
                                                     interpolation="nearest", interpolation_stage="data"))
        self.border = self.canvas.animate(self.ax.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor="tab:blue", linestyle="--", linewidth=1.5)))
        self.canvas.animate(self.ax.title)
        self.ax.set_xlabel("column of the original image (negative: padding)")
        self.ax.set_ylabel("row of the original image")
        self.readout = html_box()
        self.calls = html_box()
        controls = widgets.HBox([self.play, self.pad, self.speed, self.player.speed_unit])
        super().__init__([self.images.box, controls, self.canvas.image, self.readout, self.calls])
        self.source.observe(self._on_source, "value")
        self.pad.observe(self._on_pad, "value")
        # After _on_pad: the picture goes out before the Play widget's update.
        self.pad.observe(lambda change: setattr(self.play, "value", change["new"]), "value")
        self._on_source()

    def _on_source(self, _change=None):
        """New image: slider range, fixed axes extent for the largest pad, full redraw."""
        x = self.inputs[self.source.value]
        self.display = display_rgb(x) if x.ndim == 3 else x
        n_h, n_w = x.shape[:2]
        top = max(2, max(n_h, n_w) // 4)
        self.pad.max = top
        self.play.max = top
        # Padded once for the largest p; each slider position shows a view of it (no copy).
        self.framed = np.pad(self.display, ((top, top), (top, top)) + ((0, 0),) * (x.ndim - 2))
        if x.ndim == 3:
            self.framed[..., 3] = 255    # the zero border is black, not transparent
        self.ax.set_xlim(-top - 0.5, n_w + top - 0.5)
        self.ax.set_ylim(n_h + top - 0.5, -top - 0.5)
        # The layout reserves room for the title only if it has text at the full draw.
        self.ax.set_title(self._title(self.pad.value), fontsize=10)
        self.canvas.redraw()
        self._on_pad()

    def _title(self, p):
        n_h, n_w = self.display.shape[:2]
        return f"zero padding p = {p}: {n_h}×{n_w} → {n_h + 2 * p}×{n_w + 2 * p}"

    def _on_pad(self, _change=None):
        """Pad with p zeros on every side of rows and columns (never channels) and blit."""
        p = self.pad.value
        x = self.display
        n_h, n_w = x.shape[:2]
        top = self.pad.max
        padded = self.framed[top - p:top + n_h + p, top - p:top + n_w + p]
        self.padded = padded
        self.im.set_data(padded)
        self.im.set_extent((-p - 0.5, n_w + p - 0.5, n_h + p - 0.5, -p - 0.5))
        self.border.set_bounds(-0.5, -0.5, n_w, n_h)
        self.ax.set_title(self._title(p), fontsize=10)
        self.canvas.blit()              # the picture first, the readouts after it
        now = time.monotonic()
        if self.play.playing and p != self.pad.max and now - self._last_text < TEXT_EVERY_S:
            return                      # the readouts follow at most every TEXT_EVERY_S while playing
        self._last_text = now
        channels = ", 3" if x.ndim == 3 else ""
        self.readout.value = (
            "<div style='font-family:monospace;font-size:13px'>"
            f"X.shape = ({n_h}, {n_w}{channels})<br>"
            f"X_pad.shape = (n_H + 2p, n_W + 2p{', n_C' if channels else ''}) = "
            f"({n_h} + 2·{p}, {n_w} + 2·{p}{channels}) = "
            f"<b>({n_h + 2 * p}, {n_w + 2 * p}{channels})</b>"
            + ("<br>channels are not padded: only rows and columns get zeros" if channels else "")
            + f"<br>padded row i is original row i − {p} (dashed: the original image)</div>")
        self.calls.value = equivalent_calls([
            ("NumPy", f"np.pad(X, (({p}, {p}), ({p}, {p})" + (", (0, 0)))" if x.ndim == 3 else "))"), ""),
            ("PyTorch", f"torch.nn.functional.pad(x, ({p}, {p}, {p}, {p}))",
             f"x (1, {3 if x.ndim == 3 else 1}, {n_h}, {n_w}): last two axes"),
            ("this course", f"X_pad = zero_pad(X, {p})",
             f"X ({'m'}, {n_h}, {n_w}, {3 if x.ndim == 3 else 1})"),
        ])


def padding_explorer(image=None):
    """Widget: a pad slider over a real image showing the zero border and the padded shape.

    image -- optional (n_H, n_W) or (n_H, n_W, 3) array in [0, 1], offered first in the menu.
    """
    return PaddingExplorer(image)
