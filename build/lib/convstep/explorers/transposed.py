"""Transposed convolution explorer: every input cell paints the filter, scaled by its value, onto
the output; overlaps add up; padding crops the result and output padding grows it.

A toggle shows the same numbers as a stride-1 convolution of the zero-inserted input with the
flipped filter, which is how conv_backward computes dA_prev.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle

from . import geometry
from .canvas import HIGHLIGHT, Canvas, cell_axes, colour_range, value_texts, write_values
from .controls import Batched, Stepper, slider
from .readouts import equivalent_calls, grid_html, html_box, notice

# Small integers, so that every product can be checked by hand.
_X = np.array([[1, 2, 0, -1], [3, -2, 1, 2], [0, 1, -1, 3], [2, 0, 1, 1]], dtype=float)
_W = np.array([[1, 0, -1, 2], [2, 1, 0, -1], [0, 1, 1, 0], [1, -1, 0, 2]], dtype=float)
SCATTER, CONV = "paint each input cell", "as a stride-1 convolution"
NUMBERS_MAX = 10     # write the numbers into a panel only up to this many cells per side


class TransposedExplorer(Batched, widgets.VBox):
    """Transposed convolution of a small integer input x (n×n) with a filter W (f×f).

    Attributes after every change: x, w, s, p, op, n_out, full (the uncropped sum of all
    copies), out (n_out, n_out) the result; in the convolution view also padded, flipped, conv_out.
    """

    def __init__(self):
        self.n_slider = slider("input n", 2, 4, 3)
        self.f_slider = slider("f", 1, 4, 3)
        self.stride = slider("stride s", 1, 3, 2)
        self.pad = slider("pad p", 0, 3, 1)
        self.out_pad = slider("output pad", 0, 2, 1)
        self.view = widgets.ToggleButtons(options=[SCATTER, CONV], description="view",
                                          style={"button_width": "190px"})
        self.stepper = Stepper(self._show_step)
        self.canvas = Canvas((13.5, 4.0))
        self.axes = list(self.canvas.figure.subplots(1, 4, width_ratios=[0.8, 0.7, 1.2, 1]))
        a0, a1, a2, a3 = self.axes
        kw = dict(cmap="cividis", interpolation="nearest", interpolation_stage="data")
        self.im0 = a0.imshow(np.zeros((1, 1)), **kw)
        self.texts0 = value_texts(a0, 12)
        self.cell0 = self.canvas.animate(a0.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.im1 = a1.imshow(np.zeros((1, 1)), **kw)
        self.texts1 = value_texts(a1, 4)
        # NaN marks output cells not written yet: white, like the other explorers' covers.
        self.im2 = self.canvas.animate(a2.imshow(np.zeros((1, 1)), **dict(
            kw, cmap=colormaps["cividis"].with_extremes(bad="white"))))
        self.texts2 = value_texts(a2, NUMBERS_MAX)
        self.canvas.animate(*(t for row in self.texts2 for t in row))
        self.box2 = self.canvas.animate(a2.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.crop2 = self.canvas.animate(a2.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor="tab:blue", linestyle="--", linewidth=1.8, zorder=6)))
        self.im3 = self.canvas.animate(a3.imshow(np.zeros((1, 1)), **kw))
        self.texts3 = value_texts(a3, NUMBERS_MAX)
        self.canvas.animate(*(t for row in self.texts3 for t in row))
        self.formula = html_box()
        self.notice = html_box()
        self.arithmetic = html_box()
        self.calls = html_box()
        controls = widgets.VBox([
            widgets.HBox([self.n_slider, self.f_slider, self.stride]),
            widgets.HBox([self.pad, self.out_pad]), self.view])
        super().__init__([controls, self.stepper.box, self.canvas.image, self.formula,
                          self.notice, self.arithmetic, self.calls])
        for control in (self.n_slider, self.f_slider, self.stride, self.pad, self.out_pad, self.view):
            control.observe(self._refresh, "value")
        self._refresh()

    # --- per parameter change

    def _limit(self, control, high):
        """Clamp a slider's range without triggering a second refresh."""
        control.unobserve(self._refresh, "value")
        control.max = high
        control.value = min(control.value, high)
        control.observe(self._refresh, "value")

    def _refresh(self, _change=None):
        if self._skip_refresh():
            return
        # p <= f - 1 keeps the convolution view's padding f - 1 - p non-negative; op < s is
        # the rule of every framework (a larger op would add rows no input reaches).
        self._limit(self.pad, self.f_slider.value - 1)
        self._limit(self.out_pad, self.stride.value - 1)
        n, self.f, self.s = self.n_slider.value, self.f_slider.value, self.stride.value
        self.p, self.op = self.pad.value, self.out_pad.value
        self.x, self.w = _X[:n, :n], _W[:self.f, :self.f]
        self.n_out = geometry.transposed_size(n, self.f, self.s, self.p, self.op)
        self.full = geometry.scatter(self.x, self.w, self.s)
        self.out = geometry.crop_transposed(self.full, self.p, self.op, (self.n_out, self.n_out))
        self.padded, self.flipped, self.conv_out = geometry.transposed_as_convolution(
            self.x, self.w, self.s, self.p, self.op)
        self.partials = [geometry.scatter(self.x, self.w, self.s, upto=k + 1) for k in range(n * n)]
        self.clim = colour_range(np.stack([np.pad(q, ((0, self.op), (0, self.op)))
                                           for q in self.partials] + [np.zeros_like(
                                               np.pad(self.full, ((0, self.op), (0, self.op))))]))
        self._write_formula()
        self.notice.value = notice(self._notes())
        self.calls.value = self._calls()
        self._draw_static()
        count = n * n if self.view.value == SCATTER else self.n_out ** 2
        self.stepper.reset(count)
        self._show_step(self.stepper.position.value)

    def _write_formula(self):
        n, f, s, p, op = len(self.x), self.f, self.s, self.p, self.op
        full = (n - 1) * s + f
        self.formula.value = (
            "<div style='font-family:monospace;font-size:13px'>"
            f"n_out = (n − 1)·s − 2p + f + output_pad = ({n} − 1)·{s} − 2·{p} + {f} + {op} = "
            f"<b>{self.n_out}</b><br>"
            f"painted area (n − 1)·s + f = {full}; crop p = {p} at the top/left, "
            f"{p} − {op} = {p - op} at the bottom/right"
            + (" (negative: output padding adds zero rows/columns)" if p < op else "")
            + f"<br>as a convolution: zero-inserted input ({n} − 1)·{s} + 1 = {(n - 1) * s + 1}, "
            f"padded by f − 1 − p = {f - 1 - p} (top/left) and f − 1 − p + output_pad = "
            f"{f - 1 - p + op} (bottom/right) → {self.padded.shape[0]}; "
            f"{self.padded.shape[0]} − {f} + 1 = {self.padded.shape[0] - f + 1} = n_out</div>")

    def _notes(self):
        notes = [f"<b>Where you meet it:</b> in <code>conv_backward</code>, dA_prev of a "
                 f"convolution with stride {self.s}, pad {self.p} and this filter W is exactly this "
                 "transposed convolution of dZ with W: every dZ[h, w] sends W·dZ[h, w] back to the "
                 "window it came from. The output padding picks which input size is restored when "
                 "several sizes give the same forward output, e.g. n_prev = "
                 f"{self.n_out} here."]
        if self.s > 1:
            notes.append(f"Stride {self.s}: the copies of W are placed {self.s} cells apart, the "
                         f"convolution view inserts {self.s - 1} zero(s) between the input entries.")
        return notes

    def _calls(self):
        n = len(self.x)
        return equivalent_calls([
            ("PyTorch", f"torch.nn.functional.conv_transpose2d(x, w, stride={self.s}, "
                        f"padding={self.p}, output_padding={self.op})",
             f"x (1, 1, {n}, {n}), w (1, 1, {self.f}, {self.f}) → (1, 1, {self.n_out}, {self.n_out})"),
            ("this course", "dA_prev, dW, db = conv_backward(dZ, cache)",
             f"dZ = x (1, {n}, {n}, 1); cache from conv_forward on A_prev (1, {self.n_out}, "
             f'{self.n_out}, 1) with W ({self.f}, {self.f}, 1, 1), {{"stride": {self.s}, '
             f'"pad": {self.p}}}: dA_prev[0, :, :, 0] is this output'),
        ])

    def _draw_static(self):
        a0, a1, a2, a3 = self.axes
        n, f = len(self.x), self.f
        scatter_view = self.view.value == SCATTER
        first = self.x if scatter_view else self.padded
        clim_x = colour_range(first)
        _show(self.im0, first, clim_x)
        write_values(self.texts0, first if max(first.shape) <= 12 else np.zeros((0, 0)), clim_x,
                     fmt=lambda v: f"{v:g}")
        if scatter_view:
            cell_axes(a0, n, n, f"input x, {n}×{n}")
        else:
            cell_axes(a0, *first.shape, f"x zero-inserted (s = {self.s}) and padded: "
                                        f"{first.shape[0]}×{first.shape[1]}")
        kernel = self.w if scatter_view else self.flipped
        _show(self.im1, kernel, colour_range(kernel))
        write_values(self.texts1, kernel, colour_range(kernel), fmt=lambda v: f"{v:g}")
        cell_axes(a1, f, f, f"filter W, {f}×{f}" if scatter_view else f"W flipped, {f}×{f}")
        if scatter_view:
            side = self.full.shape[0] + self.op
            self.crop2.set_visible(self.n_out > 0)
            self.crop2.set_bounds(self.p - 0.5, self.p - 0.5, self.n_out, self.n_out)
            cell_axes(a2, side, side, f"copies of W painted, sum {side}×{side} "
                                      f"(dashed: output)")
            cell_axes(a3, max(self.n_out, 1), max(self.n_out, 1),
                      f"output, cropped: {self.n_out}×{self.n_out}")
        else:
            self.crop2.set_visible(False)
            cell_axes(a2, max(self.n_out, 1), max(self.n_out, 1),
                      f"stride-1 convolution: {self.n_out}×{self.n_out}")
            cell_axes(a3, max(self.n_out, 1), max(self.n_out, 1),
                      "painting result (for comparison)")
        self.canvas.redraw()

    # --- per frame

    def _show_step(self, index):
        """Draw step index; the picture goes out first, its explanation after it."""
        show = self._show_scatter if self.view.value == SCATTER else self._show_convolution
        explain = show(index)
        self.canvas.blit()
        if explain is not None and self.stepper.text_due():
            self.arithmetic.value = explain()

    def _numbers(self, values):
        """Whether to write the numbers into a changing panel: small enough, and not while Play
        runs (text is the costliest thing to draw; they appear as soon as Play stops)."""
        last = self.stepper.position.value == self.stepper.position.max
        return max(values.shape) <= NUMBERS_MAX and (last or not self.stepper.play.playing)

    def _show_scatter(self, index):
        """Set the artists for step index; returns a function writing its explanation."""
        n, f, s = len(self.x), self.f, self.s
        i, j = divmod(int(index), n)
        self.cell0.set_bounds(j - 0.5, i - 0.5, 1, 1)
        self.cell0.set_visible(True)
        painted = np.pad(self.partials[index], ((0, self.op), (0, self.op)))
        self.painted = painted
        self.sofar = geometry.crop_transposed(self.partials[index], self.p, self.op,
                                              (self.n_out, self.n_out))
        _show(self.im2, painted, self.clim)
        # The output's numbers are the painted ones inside the dashed box: written once, there.
        write_values(self.texts2, painted if self._numbers(painted) else np.zeros((0, 0)),
                     self.clim, hide_zeros=True, fmt=lambda v: f"{v:g}")
        self.box2.set_bounds(j * s - 0.5, i * s - 0.5, f, f)
        self.box2.set_visible(True)
        _show(self.im3, self.sofar if self.sofar.size else np.full((1, 1), np.nan), self.clim)
        write_values(self.texts3, np.zeros((0, 0)), self.clim)
        v = self.x[i, j]
        return lambda: (
            f"<p>x[{i}, {j}] = {v:g} paints W × {v:g} onto rows {i * s}..{i * s + f - 1}, "
            f"cols {j * s}..{j * s + f - 1} (corner = (i·s, j·s) = ({i}·{s}, {j}·{s})): "
            + grid_html(self.w) + f" × {v:g} = " + grid_html(self.w * v)
            + f", added to what is there ({index + 1} of {n * n} cells painted).</p>")

    def _show_convolution(self, index):
        """As _show_scatter, for the view as a convolution; None when there is no output."""
        if not self.n_out:
            return None
        f = self.f
        r, c = divmod(int(index), self.n_out)
        self.cell0.set_bounds(c - 0.5, r - 0.5, f, f)
        self.cell0.set_visible(True)
        shown = np.full(self.conv_out.shape, np.nan)
        shown.ravel()[:index + 1] = self.conv_out.ravel()[:index + 1]
        _show(self.im2, shown, self.clim)
        write_values(self.texts2, np.nan_to_num(shown) if self._numbers(shown)
                     else np.zeros((0, 0)), self.clim, fmt=lambda v: f"{v:g}")
        for row in self.texts2:     # unwritten cells stay blank
            for text in row:
                x, y = text.get_position()
                if y * self.n_out + x > index:
                    text.set_visible(False)
        self.box2.set_bounds(c - 0.5, r - 0.5, 1, 1)
        self.box2.set_visible(True)
        _show(self.im3, self.out if self.out.size else np.full((1, 1), np.nan), self.clim)
        write_values(self.texts3, self.out if self._numbers(self.out) else np.zeros((0, 0)),
                     self.clim, fmt=lambda v: f"{v:g}")

        def explain():
            window = self.padded[r:r + f, c:c + f]
            total = float(np.sum(window * self.flipped))
            return (f"<p>out[{r}, {c}] = Σ window × flipped W = " + grid_html(window) + " × "
                    + grid_html(self.flipped) + f" summed = <b>{total:g}</b>; painting gives "
                    f"{self.out[r, c]:g} " + ("✔" if np.isclose(total, self.out[r, c]) else "✘")
                    + "</p>")
        return explain


def _show(image, values, clim):
    image.set_data(values)
    image.set_clim(*clim)
    image.set_extent((-0.5, values.shape[1] - 0.5, values.shape[0] - 0.5, -0.5))


def transposed_explorer():
    """Widget: transposed convolution step by step (stride, padding, output padding), and the same
    result as a stride-1 convolution of the zero-inserted input with the flipped filter."""
    return TransposedExplorer()
