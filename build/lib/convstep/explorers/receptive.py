"""Receptive field explorer: a stack of up to four conv / pool layers over an image; pick a cell of
the last layer and see which cells of every earlier layer, and of the input, it depends on.

Two ways to the same answer: the formula (size r and jump j, layer by layer) and an experiment
(a one-hot gradient at the picked cell pushed back through the stack by backward functions: the
explorer's reference by default, or the learner's conv_backward / pool_backward).
"""

from html import escape

import ipywidgets as widgets
import numpy as np
from ipyevents import Event
from matplotlib.patches import Rectangle

from .. import images
from . import geometry
from .canvas import HIGHLIGHT, Canvas, cell_axes, overlay
from .controls import Batched, ImageSource, Stepper, slider
from .readouts import equivalent_calls, html_box, notice

MAX_LAYERS = 4
KINDS = ["conv", "max pool", "average pool", "off"]
DEFAULT_STACK = [("conv", 3, 1, 1, 1), ("max pool", 2, 2, 0, 1), ("conv", 3, 1, 1, 2),
                 ("max pool", 2, 2, 0, 1)]
FIELD_RGBA = (1.0, 0.1, 0.1, 0.55)     # cells the picked output depends on


class _LayerControls:
    """One row of controls: kind, f, stride, pad, dilation."""

    def __init__(self, index, kind, f, s, p, d):
        self.kind = widgets.Dropdown(options=KINDS, value=kind, description=f"layer {index + 1}",
                                     layout=widgets.Layout(width="190px"))
        self.f, self.s = slider("f", 1, 7, f), slider("stride", 1, 4, s)
        self.p, self.d = slider("pad", 0, 3, p), slider("dilation", 1, 3, d)
        self.box = widgets.HBox([self.kind, self.f, self.s, self.p, self.d])
        self.controls = (self.kind, self.f, self.s, self.p, self.d)

    def spec(self):
        return (self.kind.value, self.f.value, self.s.value, self.p.value, self.d.value)


def field_sizes(stack):
    """Formula: [(r, j)] per layer output, starting with the input's (1, 1).

    r_l = r_(l-1) + (f_eff - 1) * j_(l-1), j_l = j_(l-1) * s_l, f_eff = d(f - 1) + 1.
    stack -- [(kind, f, s, p, d)] of the active layers.
    """
    out = [(1, 1)]
    for _, f, s, _, d in stack:
        r, j = out[-1]
        out.append((r + (geometry.effective_size(f, d) - 1) * j, j * s))
    return out


def field_boxes(stack, sizes, row, col):
    """Formula boxes: per layer (input first), (top, left, bottom, right) of the cells that output
    cell (row, col) of the last layer depends on, before clipping to the layer's extent."""
    boxes = [(row, col, row, col)]
    for _, f, s, p, d in reversed(stack):
        top, left, bottom, right = boxes[0]
        span = geometry.effective_size(f, d) - 1
        boxes.insert(0, (top * s - p, left * s - p, bottom * s - p + span, right * s - p + span))
    return boxes


def reference_backward(kind, f, s, p, d, dz, n_in):
    """Gradient at a layer's (unpadded) n_in x n_in input of sum(dz * output), with every weight 1
    (conv) or the average pool's 1/f^2: positive weights, so no path cancels another."""
    weights = np.ones((f, f)) if kind == "conv" else np.full((f, f), 1.0 / (f * f))
    da = geometry.correlate_backward(dz, weights, s, d, (n_in + 2 * p,) * 2)
    return da[p:p + n_in, p:p + n_in]


class ReceptiveFieldExplorer(Batched, widgets.VBox):
    """Receptive fields through a stack of layers, by formula and by a one-hot gradient.

    Attributes after every change: stack (active layers), shapes (side per layer, input first),
    sizes [(r, j)], boxes (formula boxes per layer), gradients (one-hot experiment per layer),
    agree (bool), used (per layer: "reference" or "yours").
    """

    def __init__(self, conv_backward=None, pool_backward=None, image=None):
        self.conv_backward, self.pool_backward = conv_backward, pool_backward
        options = {"camera 64×64": images.camera_small(64),
                   "astronaut 64×64": images.to_gray(images.astronaut_small(64)),
                   "camera 32×32": images.camera_small(32)}
        self.images = ImageSource(image, options, rgb=False, max_side=64, small_side=32,
                                  convert=images.to_gray)
        self.source, self.inputs = self.images.menu, self.images.inputs
        self.layers = [_LayerControls(i, *spec) for i, spec in enumerate(DEFAULT_STACK)]
        self.stepper = Stepper(self._show_step)
        self.stepper.position.description = "cell"
        self.canvas = Canvas((3.0 * (MAX_LAYERS + 1) + 0.4, 3.6))
        self.axes = list(self.canvas.figure.subplots(1, MAX_LAYERS + 1))
        self.maps, self.fields, self.frames = [], [], []
        for ax in self.axes:
            self.maps.append(ax.imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest",
                                       interpolation_stage="data"))
            self.fields.append(self.canvas.animate(ax.imshow(np.zeros((1, 1, 4)), interpolation="nearest",
                                                             interpolation_stage="data", zorder=3)))
            self.frames.append(self.canvas.animate(ax.add_patch(Rectangle(
                (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linestyle="--", linewidth=1.8,
                zorder=5))))
        self.formula = html_box()
        self.notice = html_box()
        self.experiment = html_box()
        self.calls = html_box()
        # ipywidgets' Image has no click event; ipyevents reports clicks with their position in
        # the picture's own pixels ("data"), whatever size the browser shows it at.
        self.clicks = Event(source=self.canvas.image, watched_events=["click"],
                            xy_coordinate_system="data")
        self.clicks.on_dom_event(self._clicked)
        hint = widgets.HTML("<i>Click a cell of the last layer (the right-hand panel), or move "
                            "the cell slider, to pick it.</i>")
        controls = widgets.VBox([self.images.box] + [layer.box for layer in self.layers])
        super().__init__([controls, self.stepper.box, hint, self.canvas.image, self.formula,
                          self.experiment, self.notice, self.calls])
        self.source.observe(self._refresh, "value")
        for layer in self.layers:
            for control in layer.controls:
                control.observe(self._refresh, "value")
        self._refresh()

    # --- per parameter change

    def _refresh(self, _change=None):
        if self._skip_refresh():
            return
        x = self.inputs[self.source.value]
        self.x = x[: min(x.shape), : min(x.shape)]      # square: one size per layer
        self.stack, self.shapes, self.activations = [], [self.x.shape[0]], [self.x]
        problems = []
        for i, layer in enumerate(self.layers):
            kind, f, s, p, d = layer.spec()
            if kind == "off":
                continue
            n_out = geometry.output_size(self.shapes[-1], f, s, p, d)
            if n_out == 0:
                problems.append(f"Layer {i + 1} does not fit: f_eff = {geometry.effective_size(f, d)} "
                                f"is larger than its {self.shapes[-1]}×{self.shapes[-1]} input "
                                f"padded by {p}. It and the layers after it are left out.")
                break
            self.stack.append(layer.spec())
            self.shapes.append(n_out)
            self.activations.append(_forward(self.activations[-1], kind, f, s, p, d))
        self.sizes = field_sizes(self.stack)
        self.notice.value = notice(problems + self._notes())
        self.calls.value = self._calls()
        self._draw_static()
        self.stepper.reset(self.shapes[-1] ** 2)
        self._show_step(self.stepper.position.value)

    def _notes(self):
        notes = []
        if any(kind == "max pool" for kind, *_ in self.stack):
            notes.append("For the experiment a max pool is pushed back as an average pool: the max "
                         "sends its gradient to one winner, which depends on the picture, while "
                         "the receptive field is every cell that <i>could</i> win.")
        if self.pool_backward is not None and any(kind != "conv" and d > 1 for kind, _, _, _, d in self.stack):
            notes.append("The course's pool_backward has no dilation: dilated pool layers use the "
                         "explorer's reference.")
        return notes

    def _calls(self):
        torch_layers, course = [], []
        for kind, f, s, p, d in self.stack:
            if kind == "conv":
                torch_layers.append(f"nn.Conv2d(1, 1, {f}, stride={s}, padding={p}, dilation={d})")
                course.append(f'conv_forward(A, W, b, {{"stride": {s}, "pad": {p}}})'
                              + (f" (W dilated to {geometry.effective_size(f, d)}×"
                                 f"{geometry.effective_size(f, d)})" if d > 1 else ""))
            else:
                name = "MaxPool2d" if kind == "max pool" else "AvgPool2d"
                extra = f", dilation={d}" if name == "MaxPool2d" and d > 1 else ""
                torch_layers.append(f"nn.{name}({f}, stride={s}, padding={p}{extra})")
                mode = "max" if kind == "max pool" else "average"
                course.append(f'pool_forward(A, {{"f": {f}, "stride": {s}}}, mode="{mode}")'
                              + (f" after zero_pad(A, {p})" if p else ""))
        return equivalent_calls([
            ("PyTorch", "nn.Sequential(" + ", ".join(torch_layers) + ")", ""),
            ("this course", " → ".join(course) or "(no layer)", ""),
        ])

    def _draw_static(self):
        active = len(self.stack) + 1
        for k, ax in enumerate(self.axes):
            ax.set_visible(k < active)
            if k >= active:
                continue
            values = self.activations[k]
            self.maps[k].set_data(values)
            self.maps[k].set_clim(float(values.min()), float(values.max()) + 1e-9)
            n = self.shapes[k]
            extent = (-0.5, n - 0.5, n - 0.5, -0.5)
            self.maps[k].set_extent(extent)
            self.fields[k].set_extent(extent)
            r, j = self.sizes[k]
            if k == 0:
                title = f"input {n}×{n}"
            else:
                kind, f, s, p, d = self.stack[k - 1]
                title = (f"{k}: {kind} f={f} s={s} p={p} d={d}\n→ {n}×{n}, "
                         f"RF {r}×{r}, jump {j}")
            cell_axes(ax, n, n, title)
        self.canvas.redraw()

    # --- picking by click

    def cell_at(self, x, y):
        """(row, col) of the last layer's cell under pixel (x, y) of the picture (origin top
        left, as the browser reports it), or None when (x, y) is not on that panel's cells."""
        col, row = self.canvas.data_at(self.axes[len(self.stack)], x, y)
        row, col = round(row), round(col)
        n = self.shapes[-1]
        return (row, col) if 0 <= row < n and 0 <= col < n else None

    def _clicked(self, event):
        cell = self.cell_at(event["dataX"], event["dataY"])
        if cell is not None:
            self.stepper.position.value = cell[0] * self.shapes[-1] + cell[1]

    # --- per frame

    def _show_step(self, index):
        n_last = self.shapes[-1]
        row, col = divmod(int(index), n_last)
        self.row, self.col = row, col
        self.boxes = field_boxes(self.stack, self.sizes, row, col)
        self.gradients, self.used, problems = self._one_hot(row, col)
        self.agree = True
        for k, (grad, box) in enumerate(zip(self.gradients, self.boxes)):
            n = self.shapes[k]
            support = grad != 0
            self.fields[k].set_data(overlay(support, FIELD_RGBA))
            top, left, bottom, right = (min(max(v, 0), n - 1) for v in box)
            self.frames[k].set_bounds(left - 0.5, top - 0.5, right - left + 1, bottom - top + 1)
            self.frames[k].set_visible(True)
            rows, cols = np.nonzero(support)
            inside = (rows.size > 0 and rows.min() >= top and rows.max() <= bottom
                      and cols.min() >= left and cols.max() <= right)
            self.agree = self.agree and inside
        for k in range(len(self.gradients), MAX_LAYERS + 1):
            self.frames[k].set_visible(False)
        self.canvas.blit()
        if self.stepper.text_due():
            self._write_texts(row, col, problems)

    def _one_hot(self, row, col):
        """The one-hot gradient at (row, col) pushed back: [input, layer 1, ..., last]."""
        n_last = self.shapes[-1]
        grad = np.zeros((n_last, n_last))
        grad[row, col] = 1.0
        out, used, problems = [grad], [], []
        for k in range(len(self.stack), 0, -1):
            kind, f, s, p, d = self.stack[k - 1]
            n_in = self.shapes[k - 1]
            mine, problem = self._learner_backward(kind, f, s, p, d, grad, n_in)
            if problem:
                problems.append(f"Layer {k}: {problem} The explorer's reference is used instead.")
            grad = mine if mine is not None else reference_backward(kind, f, s, p, d, grad, n_in)
            used.insert(0, "yours" if mine is not None else "reference")
            out.insert(0, grad)
        return out, used, problems

    def _learner_backward(self, kind, f, s, p, d, dz, n_in):
        """(gradient or None, problem text or "") from the learner's backward function, if any."""
        if kind == "conv" and self.conv_backward is not None:
            f_eff = geometry.effective_size(f, d)
            w = geometry.dilated_kernel(np.ones((f, f)), d).reshape(f_eff, f_eff, 1, 1)
            cache = (np.zeros((1, n_in, n_in, 1)), w, np.zeros((1, 1, 1, 1)), {"stride": s, "pad": p})
            return _call("conv_backward", lambda: self.conv_backward(dz[None, :, :, None].copy(), cache),
                         (1, n_in, n_in, 1), first=True)
        if kind != "conv" and self.pool_backward is not None and d == 1:
            cache = (np.zeros((1, n_in + 2 * p, n_in + 2 * p, 1)), {"f": f, "stride": s})
            grad, problem = _call("pool_backward", lambda: self.pool_backward(
                dz[None, :, :, None].copy(), cache, mode="average"), (1, n_in + 2 * p, n_in + 2 * p, 1))
            return (None if grad is None else grad[p:p + n_in, p:p + n_in]), problem
        return None, ""

    def _write_texts(self, row, col, problems):
        lines = ["r₀ = 1, j₀ = 1 (one input cell)"]
        for k, (kind, f, s, p, d) in enumerate(self.stack, start=1):
            (r0, j0), (r1, j1) = self.sizes[k - 1], self.sizes[k]
            f_eff = geometry.effective_size(f, d)
            lines.append(f"layer {k} ({kind}): f_eff = {d}·({f} − 1) + 1 = {f_eff}; "
                         f"r{k} = r{k - 1} + (f_eff − 1)·j{k - 1} = {r0} + {f_eff - 1}·{j0} = "
                         f"<b>{r1}</b>; j{k} = j{k - 1}·s = {j0}·{s} = {j1}")
        top, left, bottom, right = self.boxes[0]
        lines.append(f"cell ({row}, {col}) of the last layer reads input rows {top}..{bottom}, "
                     f"cols {left}..{right} ({bottom - top + 1}×{right - left + 1}"
                     + (", partly padding" if min(top, left) < 0 or max(bottom, right) >= self.shapes[0]
                        else "") + ")")
        self.formula.value = ("<div style='font-family:monospace;font-size:13px'>"
                              + "<br>".join(lines) + "</div>")
        support = self.gradients[0] != 0
        rows, cols = np.nonzero(support)
        found = (f"rows {rows.min()}..{rows.max()}, cols {cols.min()}..{cols.max()}, "
                 f"{int(support.sum())} cells" if rows.size else "no cell")
        who = ", ".join(f"layer {k + 1}: {u}" for k, u in enumerate(self.used)) or "no layer"
        verdict = ("✔ the experiment agrees with the formula" if self.agree
                   else "✘ the experiment reaches cells outside the formula's box")
        self.experiment.value = (
            f"<p><b>One-hot experiment:</b> dZ = 1 at cell ({row}, {col}) of the last layer, 0 "
            f"elsewhere, pushed back layer by layer ({who}). Non-zero gradient at the input "
            f"(shaded red): {found}. {verdict}; the dashed box is the formula's.</p>"
            + (notice(problems) if problems else ""))


def _forward(a, kind, f, s, p, d):
    """What a layer shows in the picture: a box blur (conv) or the pooled map, on the padded input."""
    padded = np.pad(a, p)
    if kind == "conv":
        return geometry.correlate(padded, np.full((f, f), 1.0 / (f * f)), s, d)
    view = geometry.windows(padded, f, s, d)
    return view.max(axis=(2, 3)) if kind == "max pool" else view.mean(axis=(2, 3))


def _call(name, call, shape, first=False):
    """(2-D gradient or None, problem) from a learner's backward function."""
    try:
        result = call()
        if first:
            result = result[0]
        grad = np.asarray(result, dtype=np.float64)
    except Exception as exc:  # the learner's bug, reported in the widget
        return None, f"your <code>{name}</code> raised <code>{type(exc).__name__}: {escape(str(exc))}</code>."
    if grad.shape != shape:
        return None, f"your <code>{name}</code> returned shape {grad.shape}; expected {shape}."
    return grad[0, :, :, 0], ""


def receptive_field_explorer(conv_backward=None, pool_backward=None, image=None):
    """Widget: receptive fields through a stack of up to four conv / pool layers.

    conv_backward -- optional learner function (dZ, cache) -> (dA_prev, dW, db), cache
    (A_prev, W, b, {"stride", "pad"}); pool_backward -- optional (dA, cache, mode) -> dA_prev,
    cache (A_prev, {"f", "stride"}), called with mode="average". Given, they push the one-hot
    gradient back instead of the explorer's reference; their errors are shown in the widget.
    image -- optional (n_H, n_W) or (n_H, n_W, 3) array in [0, 1] (used in gray, cut square).
    """
    return ReceptiveFieldExplorer(conv_backward, pool_backward, image)
