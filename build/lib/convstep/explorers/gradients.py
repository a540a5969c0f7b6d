"""Gradient flow explorer: which inputs receive one output cell's gradient, and how dA_prev and dW add up."""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import images
from . import geometry
from .canvas import HIGHLIGHT, Canvas, cell_axes, colour_range, value_texts, write_values
from .controls import Batched, Stepper, slider
from .readouts import equivalent_calls, grid_html, html_box, notice


# Small integers so that every product in the readout can be checked by hand; the top-left
# 3x3 is Sobel x, and f < 4 uses the top-left f x f block.
_GRADIENT_W = np.array([[1, 0, -1, 2], [2, 0, -2, 1], [1, 0, -1, -1], [0, 1, 2, -2]], dtype=float)
_GRADIENT_SIDE = 6


def _distinct(values, step=0.01):
    """values with ties broken by adding step to later repeats (row-major), so every max pool
    window has one maximum and the gradient's destination is unambiguous."""
    out = values.ravel().copy()
    seen = set()
    for i, v in enumerate(out):
        while round(v, 6) in seen:
            v += step
        seen.add(round(v, 6))
        out[i] = v
    return out.reshape(values.shape)


class GradientExplorer(Batched, widgets.VBox):
    """Where the gradient of one output cell goes, and how dA_prev and dW add up over cells.

    Upstream gradient dZ = 1 at every output cell, so each picture shows the weights alone.
    """

    def __init__(self):
        self.a = _distinct(np.round(images.camera_small(_GRADIENT_SIDE), 2))
        self.layer = widgets.ToggleButtons(options=["conv", "max pool", "average pool"],
                                           description="layer", style={"button_width": "125px"})
        self.f_slider = slider("f", 1, 4, 3)
        self.stride = slider("stride s", 1, 3, 1)
        self.stepper = Stepper(self._show_step)
        self.canvas = Canvas((10.5, 6.8))
        axes = self.canvas.figure.subplots(2, 3)
        (self.ax_a, self.ax_z, self.ax_w), (self.ax_cell, self.ax_da, self.ax_dw) = axes
        n = _GRADIENT_SIDE
        self.a_im = self.ax_a.imshow(self.a, cmap="gray", vmin=0, vmax=1, interpolation="nearest", interpolation_stage="data")
        write_values(value_texts(self.ax_a, n), self.a, (0, 1))
        self.window = self.canvas.animate(self.ax_a.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.z_im = self.ax_z.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data")
        self.z_texts = value_texts(self.ax_z, n)
        self.z_cell = self.canvas.animate(self.ax_z.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.w_im = self.ax_w.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data")
        self.w_texts = value_texts(self.ax_w, 4)
        self.w_note = self.ax_w.text(0.5, 0.5, "", transform=self.ax_w.transAxes,
                                     ha="center", va="center")
        self.cell_im, self.da_im, self.dw_im = (
            self.canvas.animate(ax.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data"))
            for ax in (self.ax_cell, self.ax_da, self.ax_dw))
        # Numbers only on the one-cell panel: text is the costliest artist to draw per frame,
        # so the running sums' numbers go to HTML tables under the picture instead.
        self.cell_texts = value_texts(self.ax_cell, n)
        self.canvas.animate(*(t for row in self.cell_texts for t in row))
        self.cell_window = self.canvas.animate(self.ax_cell.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.dw_note = self.ax_dw.text(0.5, 0.5, "", transform=self.ax_dw.transAxes,
                                       ha="center", va="center")
        self.arithmetic = html_box()
        self.notice = html_box()
        self.calls = html_box()
        controls = widgets.HBox([self.layer, self.f_slider, self.stride])
        super().__init__([controls, self.stepper.box, self.canvas.image, self.notice,
                          self.arithmetic, self.calls])
        for control in (self.layer, self.f_slider, self.stride):
            control.observe(self._refresh, "value")
        self._refresh()

    @property
    def kind(self):
        """'conv', 'max' or 'average' for geometry.local_gradient."""
        return {"conv": "conv", "max pool": "max", "average pool": "average"}[self.layer.value]

    def _refresh(self, _change=None):
        """New layer or f / s: output Z, all per-cell gradients, colour ranges; full redraw."""
        if self._skip_refresh():
            return
        self.f, self.s = self.f_slider.value, self.stride.value
        self.w = _GRADIENT_W[:self.f, :self.f]
        n = _GRADIENT_SIDE
        n_out = geometry.output_size(n, self.f, self.s)
        if self.kind == "conv":
            self.z = geometry.correlate(self.a, self.w, self.s)
        else:
            self.z = geometry.pool(self.a, self.f, self.s, self.kind)[0]
        self.n_out = n_out
        # Per output cell: its window's corner and local gradient; sums give the final maps.
        self.cells = [self._cell(r, c) for r in range(n_out) for c in range(n_out)]
        final_da, final_dw = self._accumulated(len(self.cells) - 1)
        self.clims = {"cell": colour_range(np.stack([g for _, _, g in self.cells] + [np.zeros_like(self.w)])),
                      "da": colour_range(np.append(final_da, 0)),
                      "dw": colour_range(np.append(final_dw, 0))}
        self._draw_static()
        self.notice.value = notice(self._notes())
        self.calls.value = self._calls()
        self.stepper.reset(len(self.cells))
        self._show_step(self.stepper.position.value)

    def _cell(self, row, col):
        """(top, left, local gradient (f, f)) of output cell (row, col)."""
        top, left = row * self.s, col * self.s
        window = self.a[top:top + self.f, left:left + self.f]
        return top, left, geometry.local_gradient(window, self.kind, self.w)

    def _accumulated(self, index):
        """dA_prev (n, n) and dW (f, f) after back-propagating dZ = 1 from cells 0..index."""
        da = np.zeros_like(self.a)
        dw = np.zeros_like(self.w)
        for top, left, grad in self.cells[:index + 1]:
            da[top:top + self.f, left:left + self.f] += grad
            dw += self.a[top:top + self.f, left:left + self.f]
        return da, dw

    def _calls(self):
        n = _GRADIENT_SIDE
        if self.kind == "conv":
            return equivalent_calls([
                ("PyTorch", f"z = torch.nn.functional.conv2d(a, w, stride={self.s}); "
                            "z.backward(torch.ones_like(z))",
                 f"a (1, 1, {n}, {n}) with requires_grad: a.grad is dA_prev, w.grad is dW"),
                ("this course", "dA_prev, dW, db = conv_backward(np.ones_like(Z), cache)",
                 f'cache from conv_forward(A_prev, W, b, {{"stride": {self.s}, "pad": 0}})'),
            ])
        torch_name = "max_pool2d" if self.kind == "max" else "avg_pool2d"
        return equivalent_calls([
            ("PyTorch", f"y = torch.nn.functional.{torch_name}(a, kernel_size={self.f}, "
                        f"stride={self.s}); y.backward(torch.ones_like(y))", "a.grad is dA_prev"),
            ("this course", f'dA_prev = pool_backward(np.ones_like(A), cache, mode="{self.kind}")',
             f'cache from pool_forward(A_prev, {{"f": {self.f}, "stride": {self.s}}}, mode="{self.kind}")'),
        ])

    def _notes(self):
        if self.kind == "max":
            return ["Max pooling: only the window's maximum (first one, if tied) influenced the "
                    "output, so it alone receives dZ; every other input of the window gets 0."]
        if self.kind == "average":
            return [f"Average pooling: each of the f² = {self.f * self.f} inputs contributed "
                    f"1/{self.f * self.f} of the output, so each receives dZ/{self.f * self.f}."]
        return []

    def _draw_static(self):
        n = _GRADIENT_SIDE
        cell_axes(self.ax_a, n, n, f"input A_prev {n}×{n}")
        z_clim = colour_range(self.z)
        self.z_im.set_data(self.z)
        self.z_im.set_clim(*z_clim)
        self.z_im.set_extent((-0.5, self.n_out - 0.5, self.n_out - 0.5, -0.5))
        write_values(self.z_texts, self.z, z_clim)
        cell_axes(self.ax_z, self.n_out, self.n_out,
                   f"output Z {self.n_out}×{self.n_out} ({self.layer.value}, f = {self.f}, "
                   f"s = {self.s}); dZ = 1")
        conv = self.kind == "conv"
        self.w_im.set_visible(conv)
        self.w_im.set_data(self.w)
        self.w_im.set_clim(*colour_range(self.w))
        self.w_im.set_extent((-0.5, self.f - 0.5, self.f - 0.5, -0.5))
        write_values(self.w_texts, self.w if conv else np.zeros((0, 0)), colour_range(self.w))
        self.w_note.set_text("" if conv else "pooling has no weights")
        cell_axes(self.ax_w, self.f, self.f, f"filter W ({self.f}×{self.f})" if conv else "W")
        cell_axes(self.ax_cell, n, n, f"gradient from the current cell alone, {n}×{n}")
        cell_axes(self.ax_da, n, n, f"dA_prev {n}×{n} summed so far (values below)")
        self.dw_im.set_visible(conv)
        self.dw_note.set_text("" if conv else "no dW: pooling\nhas no weights")
        cell_axes(self.ax_dw, self.f, self.f, f"dW {self.f}×{self.f} summed so far (values below)" if conv else "dW")
        for image, key in ((self.cell_im, "cell"), (self.da_im, "da"), (self.dw_im, "dw")):
            image.set_clim(*self.clims[key])
        self.canvas.redraw()

    def _show_step(self, index):
        """Back-propagate the cells 0..index; show the one at index and the running sums."""
        if not self.cells:
            self.arithmetic.value = ""
            self.canvas.blit()
            return
        row, col = geometry.window_cell(index, self.n_out)
        top, left, grad = self.cells[index]
        n = _GRADIENT_SIDE
        for rect in (self.window, self.cell_window):
            rect.set_bounds(left - 0.5, top - 0.5, self.f, self.f)
        self.z_cell.set_bounds(col - 0.5, row - 0.5, 1, 1)
        alone = np.zeros_like(self.a)
        alone[top:top + self.f, left:left + self.f] = grad
        da, dw = self._accumulated(index)
        for image, values in ((self.cell_im, alone), (self.da_im, da)):
            image.set_data(values)
            image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        # Text is the costliest artist: while Play runs the numbers wait for the pause or the end.
        playing = self.stepper.play.playing and index != self.stepper.position.max
        write_values(self.cell_texts, np.zeros((0, 0)) if playing else alone, self.clims["cell"],
                     hide_zeros=True)
        self.dw_im.set_data(dw)
        self.dw_im.set_extent((-0.5, self.f - 0.5, self.f - 0.5, -0.5))
        self.alone, self.da, self.dw = alone, da, dw
        self.canvas.blit()
        if not self.stepper.text_due():
            return
        done = f"after {index + 1} of {len(self.cells)} output cells"
        sums = (f"<p>Running sums {done}: dA_prev = " + grid_html(da)
                + (" dW = " + grid_html(dw) if self.kind == "conv" else "") + "</p>")
        self.arithmetic.value = self._explain(index, row, col, top, left) + sums

    def _explain(self, index, row, col, top, left):
        """HTML: which inputs receive dZ[row, col], with what weight, and what accumulates."""
        rows = f"{top}..{top + self.f - 1}"
        cols = f"{left}..{left + self.f - 1}"
        window = self.a[top:top + self.f, left:left + self.f]
        if self.kind == "conv":
            return (f"<p>Z[{row}, {col}] = Σ A_prev[rows {rows}, cols {cols}] × W + b, so "
                    f"∂Z[{row}, {col}]/∂A_prev = W inside the window, 0 outside:</p>"
                    f"<p>dA_prev[rows {rows}, cols {cols}] += W × dZ[{row}, {col}] = "
                    + grid_html(self.w) + " × 1</p>"
                    f"<p>dW += A_prev[rows {rows}, cols {cols}] × dZ[{row}, {col}] = "
                    + grid_html(window) + f" × 1; db += dZ[{row}, {col}], so db = "
                    f"{index + 1} so far.</p>")
        if self.kind == "max":
            dr, dc = np.unravel_index(np.argmax(window), window.shape)
            return (f"<p>A[{row}, {col}] = max of rows {rows}, cols {cols} = "
                    f"A_prev[{top + dr}, {left + dc}] = {window[dr, dc]:.2f}: only that input "
                    f"receives dZ[{row}, {col}] = 1. In the running sum, an input that was the "
                    "maximum of k windows holds k.</p>")
        return (f"<p>A[{row}, {col}] = mean of rows {rows}, cols {cols}: each of those "
                f"{self.f * self.f} inputs receives dZ[{row}, {col}] / {self.f * self.f} = "
                f"{1 / self.f ** 2:.4f}.</p>")


def gradient_explorer():
    """Widget: pick an output cell of a conv, max-pool or average-pool layer and see which inputs
    receive its gradient, with what weight, and how dA_prev and dW accumulate over the cells."""
    return GradientExplorer()
