"""Pooling explorer: max or average pooling window by window, the kept maximum marked."""

import ipywidgets as widgets
from matplotlib.patches import Rectangle

from .. import images
from . import geometry
from .canvas import HIGHLIGHT, InputPanel, MapPanel, colour_range
from .controls import ImageSource, slider
from .readouts import equivalent_calls, grid_html
from .window import WindowExplorer


class PoolExplorer(WindowExplorer):
    """Pooling step by step: window, its maximum (or average), output filling in."""

    learner_name = "pool_forward"

    def __init__(self, pool_forward=None, image=None):
        # Pooling acts on each channel alone; one gray channel keeps "the" maximum unambiguous.
        self.images = ImageSource(image, images.sources(rgb=False), rgb=False, convert=images.to_gray)
        self.source, self.inputs = self.images.menu, self.images.inputs
        self.mode = widgets.ToggleButtons(options=["max", "average"], description="mode",
                                          style={"button_width": "80px"})
        self.f_slider = slider("f", 1, 6, 3)
        self.stride = slider("stride s", 1, 6, 2)
        controls = widgets.VBox([self.images.box,
                                 widgets.HBox([self.mode, self.f_slider, self.stride])])
        ratios = [1, 1] + ([1] if pool_forward is not None else [])
        super().__init__(pool_forward, (3.8 * len(ratios) + 0.4, 4.0), ratios, controls)
        self.input_panel = InputPanel(self.canvas, self.axes[0])
        ax = self.axes[0]
        # The previous window, dashed, so overlapping windows (s < f) are visible as such.
        self.ghost = self.canvas.animate(ax.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linestyle="--", linewidth=1.2, zorder=4)))
        (self.max_mark,) = ax.plot([], [], marker="*", markersize=14, color="gold",
                                   markeredgecolor="black", linestyle="none", zorder=7)
        self.canvas.animate(self.max_mark)
        self.output_panel = MapPanel(self.canvas, self.axes[1])
        if pool_forward is not None:
            self.yours_panel = MapPanel(self.canvas, self.axes[2])
        self._watch(self.source, self.mode, self.f_slider, self.stride)
        self._refresh()

    def _compute(self):
        """Set padded (the input: pooling has no pad), reference, argmax; return notes."""
        self.x = self.padded = self.inputs[self.source.value]
        self.f, self.s = self.f_slider.value, self.stride.value
        self.reference, self.argmax = geometry.pool(self.x, self.f, self.s, self.mode.value)
        self._write_formula([])
        notes = []
        if self.s < self.f:
            notes.append(f"Stride {self.s} &lt; f = {self.f}: neighbouring windows overlap by "
                         f"{self.f - self.s} rows/columns (dashed: the previous window), so one "
                         "input can belong to several windows"
                         + (" and be the maximum of several of them." if self.mode.value == "max"
                            else "."))
        return notes

    def _calls(self):
        n_h, n_w = self.x.shape
        torch_name = "max_pool2d" if self.mode.value == "max" else "avg_pool2d"
        return equivalent_calls([
            ("PyTorch", f"torch.nn.functional.{torch_name}(x, kernel_size={self.f}, stride={self.s})",
             f"x (1, 1, {n_h}, {n_w})"),
            ("this course", f'A, cache = pool_forward(A_prev, {{"f": {self.f}, "stride": {self.s}}}, '
                            f'mode="{self.mode.value}")', f"A_prev (1, {n_h}, {n_w}, 1)"),
        ])

    def _learner_call(self):
        if not self.reference.size:
            return None, "nothing to compare: no window fits."
        a_prev = self.x[None, :, :, None].copy()
        hparameters = {"f": self.f, "stride": self.s}
        mode = self.mode.value
        return (lambda: self.learner(a_prev, hparameters, mode)), ""

    def _draw_static(self):
        n_h, n_w = self.x.shape
        out_h, out_w = self.reference.shape if self.reference.size else (0, 0)
        self.input_panel.show(self.x,
                              geometry.read_mask(n_h, self.f, self.s, 1, out_h),
                              geometry.read_mask(n_w, self.f, self.s, 1, out_w),
                              f"input {n_h}×{n_w}, {self.mode.value} pool f = {self.f}")
        # Pooled values are input values (or their means): same colour scale as the input.
        self._draw_maps(f"output A, {self.mode.value}, s = {self.s}: {out_h}×{out_w}",
                        colour_range(self.x))
        self.canvas.redraw()

    def _place_extras(self, row, col):
        # The neighbour to the left (or above, at a row start) shares cells when s < f.
        overlap = self.s < self.f and (row, col) != (0, 0)
        self.ghost.set_visible(overlap)
        if overlap:
            prev_row, prev_col = (row, col - 1) if col else (row - 1, col)
            self.ghost.set_bounds(prev_col * self.s - 0.5, prev_row * self.s - 0.5, self.f, self.f)
        is_max = self.argmax is not None
        # Average: dot every cell, since each one counts 1/f²; max: a star on the one that wins.
        self.input_panel.taps.set_visible(not is_max)
        self.max_mark.set_visible(is_max)
        if is_max:
            dr, dc = self.argmax[row, col]
            self.max_mark.set_data([col * self.s + dc], [row * self.s + dr])

    def _arithmetic(self, row, col):
        """HTML: the window, and its maximum (where) or its sum / f² for output cell (row, col)."""
        top, left = row * self.s, col * self.s
        window = self.x[top:top + self.f, left:left + self.f]
        head = (f"<p>A[{row}, {col}] pools rows {top}..{top + self.f - 1}, "
                f"cols {left}..{left + self.f - 1}:</p>")
        if self.argmax is not None:
            dr, dc = (int(i) for i in self.argmax[row, col])
            return (head + grid_html(window, bold=(dr, dc))
                    + f" <b>max = {window[dr, dc]:.4f}</b> at input row {top + dr}, col "
                    f"{left + dc} (★) = A[{row}, {col}]")
        return (head + grid_html(window) + f" sum {window.sum():.4f} / f² ({self.f * self.f}) "
                f"= <b>{window.mean():.4f}</b> = A[{row}, {col}]")


def pool_explorer(pool_forward=None, image=None):
    """Widget: max / average pooling step by step, optionally comparing the learner's pool_forward.

    pool_forward -- optional function (A_prev, hparameters, mode) -> (A, cache) on NHWC arrays,
    hparameters {"f", "stride"}, mode "max" | "average"; run on A_prev (1, n_H, n_W, 1).
    image -- optional (n_H, n_W) or (n_H, n_W, 3) array in [0, 1] (RGB is averaged to gray).
    """
    return PoolExplorer(pool_forward, image)
