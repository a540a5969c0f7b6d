"""Interactive explorers (ipywidgets) for padding, convolution, pooling and gradient flow.

Rendering: each explorer owns one matplotlib Figure drawn by Agg (no pyplot, so nothing is
shown twice by the inline backend) and shows it in an ``ipywidgets.Image``. Static parts
(axes, the input image, titles) are drawn once per parameter change and cached as a background;
every frame restores that background and draws only the artists that move (window rectangle,
current cell, covers over unwritten output cells), then sends one JPEG. This keeps a
frame of a 512x512 image at a few milliseconds in the kernel, and works the same in JupyterLab,
Notebook 7 and Voila without any front-end extension.

Public API: padding_explorer, conv_explorer, pool_explorer, gradient_explorer.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from . import geometry
from .. import images
# @imports
from .learner import run_learner
from .readouts import coverage_notes, grid_html, html_box, notice, size_formula
from .controls import FRAME_MS, MAX_PLAY_FRAMES, Stepper, image_menu, slider  # noqa: F401
from .canvas import (DPI, HIGHLIGHT, Canvas, InputPanel, MapPanel, cell_axes, colour_range,  # noqa: F401
                     display_rgb, encode)


# ----------------------------------------------------------------------------- conv / pool base


class _WindowExplorer(widgets.VBox):
    """Machinery shared by the convolution and pooling explorers.

    A subclass sets up its controls and axes, then implements _compute() (the reference output
    and the geometry for the current controls), _learner_call() and _arithmetic(row, col).
    Attributes after every refresh: padded (input as windows see it), f, s, d, reference
    (n_out_H, n_out_W), yours (same shape or None), diff (bool mask or None), first_diff.
    """

    learner_name = ""

    def __init__(self, learner, figsize, width_ratios, controls):
        self.canvas = Canvas(figsize)
        self.learner = learner
        axes = self.canvas.figure.subplots(1, len(width_ratios), width_ratios=width_ratios)
        self.axes = list(axes)
        self.stepper = Stepper(self._show_step)
        self.formula = html_box()
        self.notice = html_box()
        self.arithmetic = html_box()
        self.comparison = html_box()
        self.printed = widgets.Textarea(layout=widgets.Layout(display="none", width="98%"),
                                        disabled=True, description="printed")
        self.yours = self.diff = self.first_diff = None
        super().__init__([controls, self.stepper.box, self.canvas.image, self.formula,
                          self.notice, self.arithmetic, self.comparison, self.printed])

    def _watch(self, *controls):
        for control in controls:
            control.observe(self._refresh, "value")

    # --- per parameter change

    def _refresh(self, _change=None):
        """Recompute everything that depends on the controls, redraw the static picture."""
        notes = self._compute()
        n_h, n_w = self.reference.shape if self.reference.size else (0, 0)
        notes += coverage_notes(self.padded.shape[:2], self.f, self.s, self.d)
        self.notice.value = notice(notes)
        self._check_learner()
        self._draw_static()
        self.stepper.reset(n_h * n_w)
        self._show_step(self.stepper.position.value)

    def _check_learner(self):
        """Run the learner's function (if any) and mark where it differs from the reference."""
        self.yours = self.diff = self.first_diff = None
        if self.learner is None:
            return
        call, reason = self._learner_call()
        if call is None:
            self.comparison.value = f"<p><b>Your {self.learner_name}:</b> {reason}</p>"
            return
        n_h, n_w = self.reference.shape
        values, problems, printed = run_learner(self.learner_name, call, (1, n_h, n_w, 1))
        self.printed.value = printed[-4000:]
        self.printed.layout.display = "" if printed else "none"
        if values is not None:
            self.yours = values
            self.diff, self.first_diff = geometry.differences(values, self.reference)
            problems.append(self._difference_summary())
        all_good = values is not None and self.first_diff is None and len(problems) == 1
        self.comparison.value = (f"<p><b>Your {self.learner_name}:</b></p>"
                                 + (f"<p>{problems[0]}</p>" if all_good else notice(problems)))

    def _difference_summary(self):
        """One sentence: all equal, or how many differ and the first difference explained."""
        if self.first_diff is None:
            return (f"✔ All {self.reference.size} values match the reference "
                    f"(max |difference| {np.max(np.abs(self.yours - self.reference)):.1e}).")
        r, c = self.first_diff
        top, left = r * self.s, c * self.s
        span = geometry.effective_size(self.f, self.d)
        return (f"{int(self.diff.sum())} of {self.diff.size} cells differ (shaded red). "
                f"First difference at row {r}, col {c}: yours {self.yours[r, c]:.4g}, reference "
                f"{self.reference[r, c]:.4g} — window rows {top}..{top + span - 1}, "
                f"cols {left}..{left + span - 1} of the {self._window_space()}.")

    def _window_space(self):
        return "input"

    def _write_formula(self, lines):
        """Show lines, then the output-size formula per axis with the current numbers."""
        n_h, n_w = self.x.shape[:2]
        f_eff = geometry.effective_size(self.f, self.d)
        out_h = geometry.output_size(n_h, self.f, self.s, self.p, self.d)
        out_w = geometry.output_size(n_w, self.f, self.s, self.p, self.d)
        lines = lines + [size_formula("n_H", n_h, f_eff, self.s, self.p, out_h),
                         size_formula("n_W", n_w, f_eff, self.s, self.p, out_w)]
        shape = f"({out_h}, {out_w})" if out_h and out_w else "empty"
        if self.p:
            lines.append(f"padded input ({n_h} + 2·{self.p}, {n_w} + 2·{self.p}) = "
                         f"({n_h + 2 * self.p}, {n_w + 2 * self.p})")
        self.formula.value = ("<div style='font-family:monospace;font-size:13px'>"
                              + "<br>".join(lines) + f"<br><b>output shape {shape}</b></div>")

    # --- per frame

    def _show_step(self, index):
        """Draw the window and output cell for step index and explain its arithmetic."""
        if not self.reference.size:
            self.input_panel.hide_window()
            for panel in self._map_panels():
                panel.fill_until(0, 0)
            self.arithmetic.value = ""
            self.canvas.blit()
            return
        row, col = geometry.window_cell(index, self.reference.shape[1])
        self.input_panel.place(row * self.s, col * self.s, self.f, self.d)
        for panel in self._map_panels():
            panel.fill_until(row, col)
        self._place_extras(row, col)
        text = self._arithmetic(row, col)
        if self.yours is not None:
            mine, ref = self.yours[row, col], self.reference[row, col]
            same = self.diff is not None and not self.diff[row, col]
            text += (f"<p>Yours at ({row}, {col}): {mine:.4f} "
                     + ("✔ same as the reference" if same else f"✘ reference {ref:.4f}") + "</p>")
        self.arithmetic.value = text
        self.canvas.blit()

    def _place_extras(self, row, col):
        """Hook for subclass-specific per-frame artists."""

    def _map_panels(self):
        return [self.output_panel] + ([self.yours_panel] if self.learner is not None else [])

    def _draw_maps(self, title, clim):
        """Draw the reference output and, if given, the learner's output on colour range clim."""
        self.output_panel.show(self.reference, clim, title)
        if self.learner is None:
            return
        if self.yours is not None:
            self.yours_panel.show(self.yours, clim, f"your {self.learner_name}, s = {self.s}, "
                                  f"p = {self.p}", marks=self.diff)
        else:
            self.yours_panel.show(np.zeros((0, 0)), clim, f"your {self.learner_name}")
            self.yours_panel.empty.set_text("nothing to compare:\nsee the message below")


# ----------------------------------------------------------------------------- convolution

_FIXED_KERNELS = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Sobel x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "Sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}
FILTER_NAMES = ["identity", "box blur", *_FIXED_KERNELS, "custom 3×3"]


def filter_kernel(name, f, custom=None):
    """The (f, f) kernel for a menu entry; fixed 3x3 kernels ignore f (the explorer locks f = 3).

    identity: a single 1, at the centre (at (f-1)//2 when f is even, which has no centre).
    box blur: every weight 1/f², so the output is the window's mean.
    custom: the 3x3 values given in custom.
    """
    if name == "identity":
        kernel = np.zeros((f, f))
        kernel[(f - 1) // 2, (f - 1) // 2] = 1.0
        return kernel
    if name == "box blur":
        return np.full((f, f), 1.0 / (f * f))
    if name == "custom 3×3":
        return np.asarray(custom, dtype=np.float64).reshape(3, 3)
    return np.asarray(_FIXED_KERNELS[name], dtype=np.float64)


class ConvExplorer(_WindowExplorer):
    """Convolution step by step: window on the padded input, filter, output filling in."""

    learner_name = "conv_forward"

    def __init__(self, conv_forward=None, image=None):
        self.source, self.inputs = image_menu(image, images.sources())
        self.kernel_menu = widgets.Dropdown(options=FILTER_NAMES, value="Sobel x",
                                            description="filter", layout=widgets.Layout(width="230px"))
        self.f_slider = slider("f", 1, 7, 3)
        self.stride = slider("stride s", 1, 4, 1)
        self.pad = slider("pad p", 0, 3, 1)
        self.dilation = slider("dilation d", 1, 3, 1)
        self.bias = widgets.FloatSlider(value=0.0, min=-1, max=1, step=0.05, description="bias b",
                                        continuous_update=True, layout=widgets.Layout(width="230px"))
        self.custom = [widgets.FloatText(value=float(v), layout=widgets.Layout(width="60px"))
                       for v in np.ravel(_FIXED_KERNELS["sharpen"])]
        self.custom_box = widgets.VBox(
            [widgets.HTML("custom 3×3 filter:"),
             widgets.GridBox(self.custom, layout=widgets.Layout(
                 grid_template_columns="repeat(3, 64px)", display="grid"))],
            layout=widgets.Layout(display="none"))
        controls = widgets.VBox([
            widgets.HBox([self.source, self.kernel_menu, self.bias]),
            widgets.HBox([self.f_slider, self.stride, self.pad, self.dilation]),
            self.custom_box])
        ratios = [1.25, 0.7, 1] + ([1] if conv_forward is not None else [])
        super().__init__(conv_forward, (3.6 * len(ratios) + 0.6, 4.0), ratios, controls)
        self.input_panel = InputPanel(self.canvas, self.axes[0])
        self.border = self.axes[0].add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor="tab:blue", linestyle="--", linewidth=1.5))
        self.kernel_im = self.axes[1].imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest", interpolation_stage="data")
        self.kernel_text = [[self.axes[1].text(0, 0, "", ha="center", va="center", fontsize=8)
                             for _ in range(7)] for _ in range(7)]
        self.output_panel = MapPanel(self.canvas, self.axes[2])
        if conv_forward is not None:
            self.yours_panel = MapPanel(self.canvas, self.axes[3])
        self._watch(self.source, self.kernel_menu, self.f_slider, self.stride, self.pad,
                    self.dilation, self.bias, *self.custom)
        self._refresh()

    def _compute(self):
        """Set padded, kernel, weights, reference; return explanation notes for the controls."""
        x = self.inputs[self.source.value]
        name = self.kernel_menu.value
        fixed = name not in ("identity", "box blur")
        self.custom_box.layout.display = "" if name == "custom 3×3" else "none"
        if fixed and self.f_slider.value != 3:
            self.f_slider.unobserve(self._refresh, "value")
            self.f_slider.value = 3
            self.f_slider.observe(self._refresh, "value")
        self.f_slider.disabled = fixed
        self.f, self.s, self.d, self.p = (self.f_slider.value, self.stride.value,
                                          self.dilation.value, self.pad.value)
        self.b = float(self.bias.value)
        self.x = x
        self.kernel = filter_kernel(name, self.f, [w.value for w in self.custom])
        channels = x.shape[2] if x.ndim == 3 else 1
        # One f x f slice per channel; K / C keeps an RGB output on the same scale as gray.
        self.weights = (np.repeat(self.kernel[:, :, None] / channels, channels, axis=2)
                        if x.ndim == 3 else self.kernel)
        widths = ((self.p, self.p), (self.p, self.p)) + ((0, 0),) * (x.ndim - 2)
        self.padded = np.pad(x, widths)
        self.reference = geometry.correlate(self.padded, self.weights, self.s, self.d, self.b)
        f_eff = geometry.effective_size(self.f, self.d)
        self._write_formula([f"f_eff = d(f − 1) + 1 = {self.d}·({self.f} − 1) + 1 = {f_eff}"])
        return self._filter_notes(name, channels)

    def _filter_notes(self, name, channels):
        notes = []
        if name not in ("identity", "box blur"):
            notes.append(f"<i>{name}</i> is defined as a 3×3 filter, so f is fixed at 3 (slider "
                         "locked). Choose identity or box blur to vary f.")
        elif name == "box blur":
            notes.append(f"Box blur at f = {self.f}: every weight is 1/{self.f}² = "
                         f"{1 / self.f ** 2:.4f}, so Z is the window's mean (+ b).")
        elif self.f % 2 == 0:
            notes.append(f"Identity at even f = {self.f} has no centre cell: the 1 sits at "
                         f"({(self.f - 1) // 2}, {(self.f - 1) // 2}), so the output is the input "
                         f"shifted by d/2 = {self.d / 2:g} cell up and left of the window centre.")
        if channels > 1:
            notes.append(f"RGB input: W has one f×f slice per channel, here each K/{channels}; the "
                         "products of all channels are summed into ONE output channel.")
        return notes

    def _learner_call(self):
        if self.d != 1:
            return None, ("the exercise's conv_forward has no dilation, so there is nothing to "
                          "compare while d > 1.")
        if not self.reference.size:
            return None, "nothing to compare: no window fits."
        a_prev = (self.x[None] if self.x.ndim == 3 else self.x[None, :, :, None]).copy()
        channels = a_prev.shape[3]
        w = self.weights.reshape(self.f, self.f, channels, 1).copy()
        b = np.full((1, 1, 1, 1), self.b)
        hparameters = {"stride": self.s, "pad": self.p}
        return (lambda: self.learner(a_prev, w, b, hparameters)), ""

    def _window_space(self):
        return "padded input"

    def _draw_static(self):
        n_h, n_w = self.x.shape[:2]
        f_eff = geometry.effective_size(self.f, self.d)
        out_h, out_w = self.reference.shape if self.reference.size else (0, 0)
        self.input_panel.show(
            self.padded,
            geometry.read_mask(self.padded.shape[0], self.f, self.s, self.d, out_h),
            geometry.read_mask(self.padded.shape[1], self.f, self.s, self.d, out_w),
            f"padded input, p = {self.p}: {n_h + 2 * self.p}×{n_w + 2 * self.p}"
            + (" RGB" if self.x.ndim == 3 else ""))
        self.border.set_bounds(self.p - 0.5, self.p - 0.5, n_w, n_h)
        self._draw_kernel()
        # Filters like Sobel produce negative values: the output gets its own colour range.
        clim = colour_range(self.reference) if self.reference.size else (0.0, 1.0)
        self._draw_maps(f"output Z, s = {self.s}, f_eff = {f_eff}: {out_h}×{out_w}", clim)
        self.canvas.redraw()

    def _draw_kernel(self):
        k = self.kernel
        self.kernel_im.set_data(k)
        self.kernel_im.set_clim(*colour_range(k))
        self.kernel_im.set_extent((-0.5, self.f - 0.5, self.f - 0.5, -0.5))
        middle = sum(colour_range(k)) / 2
        for i, row in enumerate(self.kernel_text):
            for j, text in enumerate(row):
                inside = i < self.f and j < self.f
                text.set_visible(inside)
                if inside:
                    text.set_position((j, i))
                    text.set_text(f"{k[i, j]:.2g}")
                    text.set_color("white" if k[i, j] < middle else "black")
        cell_axes(self.axes[1], self.f, self.f,
                   f"filter {self.kernel_menu.value}, f = {self.f}, d = {self.d}")

    def _arithmetic(self, row, col):
        """HTML: the window values × filter values, summed, + b = Z for output cell (row, col)."""
        top, left = row * self.s, col * self.s
        span = geometry.effective_size(self.f, self.d)
        window = self.padded[top:top + span:self.d, left:left + span:self.d]
        rows = f"{top}..{top + span - 1}" + (f" step {self.d}" if self.d > 1 else "")
        cols = f"{left}..{left + span - 1}" + (f" step {self.d}" if self.d > 1 else "")
        head = f"<p>Z[{row}, {col}] reads padded rows {rows}, cols {cols}:</p>"
        if window.ndim == 2:
            total = float(np.sum(window * self.weights))
            body = (grid_html(window) + " × " + grid_html(self.weights) + " → "
                    + grid_html(window * self.weights) + f" summed = {total:.4f}")
        else:
            parts, total = [], 0.0
            for c, name in enumerate("RGB"[:window.shape[2]]):
                part = float(np.sum(window[:, :, c] * self.weights[:, :, c]))
                total += part
                parts.append(f"<div>{name}: " + grid_html(window[:, :, c]) + " × "
                             + grid_html(self.weights[:, :, c]) + f" summed = {part:.4f}</div>")
            body = "".join(parts) + f"<div>channel sums added: {total:.4f}</div>"
        z = total + self.b
        return (head + body + f"<p><b>{total:.4f} + b ({self.b:.2f}) = Z[{row}, {col}] = "
                f"{z:.4f}</b></p>")


def conv_explorer(conv_forward=None, image=None):
    """Widget: convolution step by step, optionally comparing the learner's conv_forward.

    conv_forward -- optional function (A_prev, W, b, hparameters) -> (Z, cache) on NHWC arrays,
    hparameters {"stride", "pad"}; it is run on the explorer's input (A_prev (1, n_H, n_W, n_C),
    W (f, f, n_C, 1), b (1, 1, 1, 1)) and its output is shown beside the reference.
    image -- optional (n_H, n_W) or (n_H, n_W, 3) array in [0, 1], offered first in the menu.
    """
    return ConvExplorer(conv_forward, image)


# ----------------------------------------------------------------------------- pooling


class PoolExplorer(_WindowExplorer):
    """Pooling step by step: window, its maximum (or average), output filling in."""

    learner_name = "pool_forward"

    def __init__(self, pool_forward=None, image=None):
        self.source, named = image_menu(image, images.sources(rgb=False))
        # Pooling acts on each channel alone; one gray channel keeps "the" maximum unambiguous.
        self.inputs = {name: images.to_gray(array) for name, array in named.items()}
        self.mode = widgets.ToggleButtons(options=["max", "average"], description="mode",
                                          style={"button_width": "80px"})
        self.f_slider = slider("f", 1, 6, 3)
        self.stride = slider("stride s", 1, 6, 2)
        controls = widgets.HBox([self.source, self.mode, self.f_slider, self.stride])
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
        self.f, self.s, self.d, self.p = self.f_slider.value, self.stride.value, 1, 0
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


# ----------------------------------------------------------------------------- padding


class PaddingExplorer(widgets.VBox):
    """Zero padding of a real image: the border grows around the unchanged picture.

    The axes keep the original image's coordinates and the largest padded extent, so moving
    the slider only changes the image artist, the border outline and the title (blitted).
    """

    def __init__(self, image=None):
        self.source, self.inputs = image_menu(image, {
            "camera 512×512": images.camera(), "astronaut 512×512 RGB": images.astronaut(),
            "camera 16×16": images.camera_small(16),
            "astronaut 16×16 RGB": images.astronaut_small(16)})
        self.pad = widgets.IntSlider(value=0, min=0, max=128, description="pad p",
                                     continuous_update=True, layout=widgets.Layout(width="420px"))
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
        super().__init__([widgets.HBox([self.source, self.pad]), self.canvas.image, self.readout])
        self.source.observe(self._on_source, "value")
        self.pad.observe(self._on_pad, "value")
        self._on_source()

    def _on_source(self, _change=None):
        """New image: slider range, fixed axes extent for the largest pad, full redraw."""
        x = self.inputs[self.source.value]
        self.display = display_rgb(x) if x.ndim == 3 else x
        n_h, n_w = x.shape[:2]
        top = max(2, max(n_h, n_w) // 4)
        self.pad.max = top
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
        channels = ", 3" if x.ndim == 3 else ""
        self.readout.value = (
            "<div style='font-family:monospace;font-size:13px'>"
            f"X.shape = ({n_h}, {n_w}{channels})<br>"
            f"X_pad.shape = (n_H + 2p, n_W + 2p{', n_C' if channels else ''}) = "
            f"({n_h} + 2·{p}, {n_w} + 2·{p}{channels}) = "
            f"<b>({n_h + 2 * p}, {n_w + 2 * p}{channels})</b>"
            + ("<br>channels are not padded: only rows and columns get zeros" if channels else "")
            + f"<br>padded row i is original row i − {p} (dashed: the original image)</div>")
        self.canvas.blit()


def padding_explorer(image=None):
    """Widget: a pad slider over a real image showing the zero border and the padded shape.

    image -- optional (n_H, n_W) or (n_H, n_W, 3) array in [0, 1], offered first in the menu.
    """
    return PaddingExplorer(image)


# ----------------------------------------------------------------------------- gradients

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


def _value_texts(ax, n):
    """An n x n grid of centred text artists (hidden until given values)."""
    return [[ax.text(j, i, "", ha="center", va="center", fontsize=8, visible=False)
             for j in range(n)] for i in range(n)]


def _write_values(texts, values, clim, hide_zeros=False):
    """Write values (h, w) into the top-left of a text grid; text colour contrasts its cell."""
    middle = sum(clim) / 2
    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            show = i < values.shape[0] and j < values.shape[1]
            show = show and not (hide_zeros and values[i, j] == 0)
            text.set_visible(bool(show))
            if show:
                text.set_text(f"{values[i, j]:.2f}".rstrip("0").rstrip("."))
                text.set_color("white" if values[i, j] < middle else "black")


class GradientExplorer(widgets.VBox):
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
        _write_values(_value_texts(self.ax_a, n), self.a, (0, 1))
        self.window = self.canvas.animate(self.ax_a.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.z_im = self.ax_z.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data")
        self.z_texts = _value_texts(self.ax_z, n)
        self.z_cell = self.canvas.animate(self.ax_z.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.w_im = self.ax_w.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data")
        self.w_texts = _value_texts(self.ax_w, 4)
        self.w_note = self.ax_w.text(0.5, 0.5, "", transform=self.ax_w.transAxes,
                                     ha="center", va="center")
        self.cell_im, self.da_im, self.dw_im = (
            self.canvas.animate(ax.imshow(np.zeros((1, 1)), cmap="cividis", interpolation="nearest", interpolation_stage="data"))
            for ax in (self.ax_cell, self.ax_da, self.ax_dw))
        # Numbers only on the one-cell panel: text is the costliest artist to draw per frame,
        # so the running sums' numbers go to HTML tables under the picture instead.
        self.cell_texts = _value_texts(self.ax_cell, n)
        self.canvas.animate(*(t for row in self.cell_texts for t in row))
        self.cell_window = self.canvas.animate(self.ax_cell.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.dw_note = self.ax_dw.text(0.5, 0.5, "", transform=self.ax_dw.transAxes,
                                       ha="center", va="center")
        self.arithmetic = html_box()
        self.notice = html_box()
        controls = widgets.HBox([self.layer, self.f_slider, self.stride])
        super().__init__([controls, self.stepper.box, self.canvas.image, self.notice,
                          self.arithmetic])
        for control in (self.layer, self.f_slider, self.stride):
            control.observe(self._refresh, "value")
        self._refresh()

    @property
    def kind(self):
        """'conv', 'max' or 'average' for geometry.local_gradient."""
        return {"conv": "conv", "max pool": "max", "average pool": "average"}[self.layer.value]

    def _refresh(self, _change=None):
        """New layer or f / s: output Z, all per-cell gradients, colour ranges; full redraw."""
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
        _write_values(self.z_texts, self.z, z_clim)
        cell_axes(self.ax_z, self.n_out, self.n_out,
                   f"output Z ({self.layer.value}, f = {self.f}, s = {self.s}); dZ = 1")
        conv = self.kind == "conv"
        self.w_im.set_visible(conv)
        self.w_im.set_data(self.w)
        self.w_im.set_clim(*colour_range(self.w))
        self.w_im.set_extent((-0.5, self.f - 0.5, self.f - 0.5, -0.5))
        _write_values(self.w_texts, self.w if conv else np.zeros((0, 0)), colour_range(self.w))
        self.w_note.set_text("" if conv else "pooling has no weights")
        cell_axes(self.ax_w, self.f, self.f, f"filter W ({self.f}×{self.f})" if conv else "W")
        cell_axes(self.ax_cell, n, n, "gradient from the current cell alone")
        cell_axes(self.ax_da, n, n, "dA_prev summed so far (values below)")
        self.dw_im.set_visible(conv)
        self.dw_note.set_text("" if conv else "no dW: pooling\nhas no weights")
        cell_axes(self.ax_dw, self.f, self.f, "dW summed so far (values below)" if conv else "dW")
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
        _write_values(self.cell_texts, alone, self.clims["cell"], hide_zeros=True)
        self.dw_im.set_data(dw)
        self.dw_im.set_extent((-0.5, self.f - 0.5, self.f - 0.5, -0.5))
        self.alone, self.da, self.dw = alone, da, dw
        done = f"after {index + 1} of {len(self.cells)} output cells"
        sums = (f"<p>Running sums {done}: dA_prev = " + grid_html(da)
                + (" dW = " + grid_html(dw) if self.kind == "conv" else "") + "</p>")
        self.arithmetic.value = self._explain(index, row, col, top, left) + sums
        self.canvas.blit()

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
