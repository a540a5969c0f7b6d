"""Convolution explorer: the window on the padded input, the filter, the output filling in."""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import images
from . import geometry
from .canvas import InputPanel, MapPanel, cell_axes, colour_range, value_texts, write_values
from .controls import ImageSource, slider
from .readouts import equivalent_calls, grid_html
from .window import WindowExplorer


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


class ConvExplorer(WindowExplorer):
    """Convolution step by step: window on the padded input, filter, output filling in."""

    learner_name = "conv_forward"

    def __init__(self, conv_forward=None, image=None):
        self.images = ImageSource(image, images.sources())
        self.source, self.inputs = self.images.menu, self.images.inputs
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
            self.images.box,
            widgets.HBox([self.kernel_menu, self.bias]),
            widgets.HBox([self.f_slider, self.stride, self.pad, self.dilation]),
            self.custom_box])
        ratios = [1.25, 0.7, 1] + ([1] if conv_forward is not None else [])
        super().__init__(conv_forward, (3.6 * len(ratios) + 0.6, 4.0), ratios, controls)
        self.input_panel = InputPanel(self.canvas, self.axes[0])
        self.border = self.axes[0].add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor="tab:blue", linestyle="--", linewidth=1.5))
        self.kernel_im = self.axes[1].imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest", interpolation_stage="data")
        self.kernel_text = value_texts(self.axes[1], 7)
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

    def _calls(self):
        channels = self.x.shape[2] if self.x.ndim == 3 else 1
        n_h, n_w = self.x.shape[:2]
        b = f"{self.b:g}"
        course_note = ("" if self.d == 1 else f"(no dilation in the course's conv_forward: use W "
                       f"{geometry.effective_size(self.f, self.d)}×"
                       f"{geometry.effective_size(self.f, self.d)} with zeros between the taps)")
        return equivalent_calls([
            ("PyTorch", f"torch.nn.functional.conv2d(x, w, bias=torch.tensor([{b}]), "
                        f"stride={self.s}, padding={self.p}, dilation={self.d})",
             f"x ({1}, {channels}, {n_h}, {n_w}), w (1, {channels}, {self.f}, {self.f})"),
            ("this course", f'Z, cache = conv_forward(A_prev, W, b, {{"stride": {self.s}, "pad": {self.p}}})',
             f"A_prev (1, {n_h}, {n_w}, {channels}), W ({self.f}, {self.f}, {channels}, 1), "
             f"b (1, 1, 1, 1) = {b} {course_note}"),
        ])

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
        write_values(self.kernel_text, k, colour_range(k), fmt=lambda v: f"{v:.2g}")
        cell_axes(self.axes[1], self.f, self.f,
                   f"filter {self.kernel_menu.value} {self.f}×{self.f}, d = {self.d}")

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
