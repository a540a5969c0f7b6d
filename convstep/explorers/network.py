"""Network explorer: the learner's own digit network, every layer at once, any value traced.

The network of notebook 6 (conv 3x3, 8 filters, pad 1 -> ReLU -> max pool 2x2 -> affine -> softmax)
runs on a test digit, a digit drawn on the 8x8 grid or an uploaded picture. Given the learner's
layer functions it runs them (forward, and backward for the saliency map), each beside the
explorer's reference (``digitnet``): a function that raises or returns a wrong shape is reported
and the reference takes its place for that layer; one whose numbers differ is reported and shown.
"""

from contextlib import contextmanager
from html import escape

import ipywidgets as widgets
import numpy as np
from ipyevents import Event
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba_array
from matplotlib.patches import Rectangle

from . import digitnet
from .canvas import COVER, HIGHLIGHT, Canvas, Raster, gray_rgba, value_texts, write_values
from .controls import Batched, ImageSource, Stepper, slider
from .learner import run_function
from .readouts import equivalent_calls, grid_html, html_box, notice

LAYERS = ["input x", "conv Z1", "ReLU A1", "max pool P"]
FUNCTIONS = ["conv_forward", "relu_forward", "pool_forward", "affine_forward",
             "affine_backward", "pool_backward", "relu_backward", "conv_backward"]
CONV, POOL = {"stride": 1, "pad": 1}, {"f": 2, "stride": 2}
DRAWING = "your drawing"
PREDICTED = -1                     # the class menu's "the prediction" entry
MOVE_WAIT_MS = 15                  # the browser sends at most one drawing move per this time
SIDE, POOLED, K, CLASSES = digitnet.SIDE, digitnet.POOLED, digitnet.N_FILTERS, digitnet.CLASSES


def _box(left, top, size):
    """The corners of a square frame (for a PolyCollection of frames)."""
    return [(left, top), (left + size, top), (left + size, top + size), (left, top + size)]


def _bar(c, value):
    """The corners of class c's horizontal bar of length value."""
    return [(0, c - 0.4), (value, c - 0.4), (value, c + 0.4), (0, c + 0.4)]


class Mosaic:
    """The 8 maps of a layer (n x n each) as one picture: four rows of two, each map under a
    label row, one blank column between maps. One image artist per layer keeps a frame cheap."""

    def __init__(self, n):
        self.n = n
        self.shape = (4 * (n + 1), 2 * n + 1)

    def origin(self, k):
        """(row, col) of map k's top-left cell in the mosaic."""
        return (k // 2) * (self.n + 1) + 1, (k % 2) * (self.n + 1)

    def box(self, k, row, col, size=1):
        """The frame of size x size cells of map k from (row, col)."""
        r, c = self.origin(k)
        return _box(c + col - 0.5, r + row - 0.5, size)

    def picture(self, maps):
        """(rows, cols) mosaic of maps (n, n, 8); NaN between maps and in the label rows."""
        out = np.full(self.shape, np.nan)
        for k in range(K):
            r, c = self.origin(k)
            out[r:r + self.n, c:c + self.n] = maps[:, :, k]
        return out

    def cell_at(self, x, y):
        """(map, row, col) under mosaic data point (x, y), or None between maps."""
        col, row = round(x), round(y)
        for k in range(K):
            r, c = self.origin(k)
            if r <= row < r + self.n and c <= col < c + self.n:
                return k, row - r, col - c
        return None


def _bar_cell(ax, y):
    """The class (0-9) of a bar chart's row at data y, or None."""
    c = round(y)
    return c if 0 <= c < CLASSES and ax.get_ylim()[1] <= y <= ax.get_ylim()[0] else None


def picture_to_digit(gray):
    """An uploaded picture (8, 8) in [0, 1] on the 0-16 scale of load_digits: bright strokes on
    black, so a dark-on-light picture (mean above one half) is inverted; then stretched so that its
    darkest cell is 0 and its brightest 16, rounded to whole numbers as load_digits' pixels are."""
    ink = 1.0 - gray if gray.mean() > 0.5 else gray
    low, high = ink.min(), ink.max()
    return np.round(16 * (ink - low) / (high - low)) if high > low else np.zeros_like(ink)


class NetworkExplorer(Batched, widgets.VBox):
    """The digit network of notebook 6 on one input at a time: every layer, any value traced.

    Attributes after every change: raw (8, 8) input on the 0-16 scale, x the network's input,
    z1, a1 (8, 8, 8), p (4, 4, 8), scores, probabilities (10,), prediction, label (or None),
    saliency (8, 8) of the chosen class, feeds (4, 4, 8) = P x W2[:, class], used (function name
    -> "yours" or "reference"), confusion (10, 10) of the test set, selected (layer, map, row, col).
    """

    def __init__(self, params, test, labels, pixel_mean, functions):
        self.params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
        self.pixel_mean = float(pixel_mean)
        self.functions = functions
        self.test_pixels = (np.asarray(test, dtype=np.float64).reshape(-1, SIDE, SIDE) + pixel_mean) * 16
        self.test_labels = np.asarray(labels).astype(int)
        self.used, self.notes = {}, {}
        self._filter_k = 0             # the map whose filter is drawn (the last traced map)
        self._drawn_filter = None      # the map whose filter the background shows
        self._confusion()

        # --- controls
        self.images = ImageSource(None, {}, rgb=False, max_side=None, small_side=SIDE,
                                  convert=picture_to_digit)
        self.source, self.inputs = self.images.menu, self.images.inputs
        self.images.upload.tooltip = "a PNG or JPEG of one digit, shrunk to 8×8"
        self.stepper = Stepper(self._show_digit, max_frames=None)
        self.stepper.position.description = "digit"
        self.stepper.step.tooltip = "the next test digit"
        self.digit_set = widgets.Dropdown(options=self._set_options(), description="digits",
                                          layout=widgets.Layout(width="330px"))
        self.chosen = widgets.Dropdown(options=[("the prediction", PREDICTED)]
                                       + [(str(c), c) for c in range(CLASSES)],
                                       description="class", layout=widgets.Layout(width="210px"))
        self.layer = widgets.Dropdown(options=LAYERS, value="conv Z1", description="trace",
                                      layout=widgets.Layout(width="210px"))
        self.map = slider("map k", 0, K - 1, 0)
        self.row, self.col = slider("row", 0, SIDE - 1, 3), slider("col", 0, SIDE - 1, 3)
        self.tool = widgets.ToggleButtons(options=["pen", "eraser"], description="draw",
                                          tooltips=["mouse strokes write the ink value",
                                                    "mouse strokes write 0"],
                                          style={"button_width": "70px", "description_width": "initial"})
        self.ink = slider("ink", 1, 16, 16)
        self.paint = widgets.Button(description="draw at row, col", icon="pencil",
                                    tooltip="the tool at the traced input cell (trace: input x)",
                                    layout=widgets.Layout(width="160px"))
        self.clear = widgets.Button(description="clear", icon="eraser",
                                    tooltip="start a drawing from an empty grid",
                                    layout=widgets.Layout(width="90px"))

        # --- picture
        self.canvas = Canvas((15.0, 7.2))
        self.canvas.describe = self.describe
        self._draw_layout()

        # ipyevents: a press on the picture picks or draws, and its default action is prevented
        # (an img would start a drag-and-drop of itself, and the moves would stop). Moves come
        # at most every MOVE_WAIT_MS, from a second Event (a throttle could delay a press) that
        # always listens: one switched on by the press would miss a fast stroke's first cells.
        self.presses = Event(source=self.canvas.image, watched_events=["mousedown", "mouseup"],
                             prevent_default_action=True)
        self.presses.on_dom_event(self._pressed)
        self.moves = Event(source=self.canvas.image, watched_events=["mousemove"],
                           wait=MOVE_WAIT_MS, throttle_or_debounce="throttle")
        self.moves.on_dom_event(self._moved)
        self._stroke = None            # the tool's value while the button is down

        self.summary, self.trace, self.feeds_text = html_box(), html_box(), html_box()
        self.report, self.calls = html_box(), html_box()
        hint = widgets.HTML("<i>Click a cell of a map to trace it, a class's bar to explain it, a "
                            "cell of the confusion matrix to list its digits; draw on the input "
                            "with the mouse. Each has its control above the picture.</i>")
        super().__init__([
            self.images.box, self.stepper.box,
            widgets.HBox([self.digit_set, self.chosen]),
            widgets.HBox([self.layer, self.map, self.row, self.col]),
            widgets.HBox([self.tool, self.ink, self.paint, self.clear]),
            hint, self.canvas.image, self.summary, self.trace, self.feeds_text, self.report,
            self.calls])
        self.calls.value = self._calls()

        self.source.observe(self._on_input, "value")
        self.digit_set.observe(self._on_set, "value")
        for control in (self.chosen, self.layer, self.map, self.row, self.col):
            control.observe(self._on_select, "value")
        self.paint.on_click(lambda _button: self._paint_selected())
        self.clear.on_click(lambda _button: self._start_drawing(np.zeros((SIDE, SIDE))))
        self._refresh()

    # ------------------------------------------------------------------ the test set

    def _confusion(self):
        """Predictions of the whole test set (with the learner's forward functions if they work
        on the batch) and the confusion matrix, rows true, columns predicted."""
        x = digitnet.network_input(self.test_pixels, self.pixel_mean)
        scores = self._forward(x)[-1]
        self.test_predicted = scores.argmax(axis=1)
        self.confusion = np.zeros((CLASSES, CLASSES), dtype=int)
        np.add.at(self.confusion, (self.test_labels, self.test_predicted), 1)
        reference = digitnet.forward(self.params, x)
        # Fixed colour ranges for the maps (so two digits compare), from the test set.
        self.z_limit = float(np.percentile(np.abs(reference["z1"]), 99.5)) or 1.0
        self.a_limit = float(np.percentile(reference["p"], 99.5)) or 1.0
        low, high = reference["scores"].min(), reference["scores"].max()
        self.score_limits = (min(float(low) * 1.15, 0.0), max(float(high) * 1.15, 1.0))

    def _set_options(self):
        """The digits menu: all test digits, the mistakes, then each (true, predicted) pair."""
        total = len(self.test_labels)
        wrong = int((self.test_predicted != self.test_labels).sum())
        options = [(f"all {total} test digits", "all")]
        if wrong:
            options.append((f"the {wrong} mistake{'s' if wrong > 1 else ''}", "mistakes"))
        for (t, p), count in np.ndenumerate(self.confusion):
            if count:
                options.append((f"true {t}, predicted {p}: {count} digit{'s' if count > 1 else ''}",
                                (int(t), int(p))))
        return options

    def _set_indices(self, choice):
        if choice == "all":
            return np.arange(len(self.test_labels))
        if choice == "mistakes":
            return np.flatnonzero(self.test_predicted != self.test_labels)
        t, p = choice
        return np.flatnonzero((self.test_labels == t) & (self.test_predicted == p))

    def _digit_name(self, i):
        t, p = self.test_labels[i], self.test_predicted[i]
        return f"test #{i}, a {t}" + ("" if t == p else f" read as {p}")

    # ------------------------------------------------------------------ the network

    def _call(self, name, call, shape, returns, reference, mask=None):
        """The learner's function (if given) beside the reference value: (value, cache), the
        cache being what a forward function returned with its value (None for the reference).

        Raising, a wrong shape or a value that is not finite: the reference is used and why is
        noted. Numbers that differ from the reference (on the cells where mask is True): noted,
        and the learner's are used: the pictures show the learner's network.
        """
        function = self.functions.get(name)
        if function is None:
            self.used[name] = "reference"
            return reference, None
        out, result, problems, printed = run_function(name, call, shape, returns)
        if printed:
            problems.append(f"Your <code>{name}</code> printed: <code>{escape(printed[-300:])}</code>")
        if out is None or not np.isfinite(out).all():
            self.used[name] = "reference"
            self.notes[name] = problems + ["The explorer's reference is used for this layer."]
            return reference, None
        self.used[name] = "yours"
        close = np.isclose(out, reference, rtol=1e-5, atol=1e-8)
        wrong = ~close if mask is None else ~close & mask
        if wrong.any():
            problems.append(f"Your <code>{name}</code> differs from the reference at "
                            f"{int(wrong.sum())} of {wrong.size} values (largest difference "
                            f"{np.max(np.abs(out - reference)[wrong]):.3g}); the pictures show yours.")
        self.notes[name] = problems
        return out, (result[1] if returns[-1] == "cache" else None)

    def _forward(self, x):
        """Every layer of a batch x (m, 8, 8) of network inputs: [z1, a1, p, scores] and their
        caches (None where the reference was used); each layer gets the previous layer's output."""
        m, params = x.shape[0], self.params
        w1, b1, w2, b2 = (params[name].copy() for name in ("W1", "b1", "W2", "b2"))
        x4 = x[..., None].copy()
        z1, conv_cache = self._call("conv_forward", lambda: self.functions["conv_forward"](
            x4, w1, b1, dict(CONV)), (m, SIDE, SIDE, K), ("Z", "cache"),
            digitnet.convolve(x, params))
        a1, relu_cache = self._call("relu_forward", lambda: self.functions["relu_forward"](
            z1.copy()), z1.shape, ("A", "cache"), digitnet.rectify(z1))
        p, pool_cache = self._call("pool_forward", lambda: self.functions["pool_forward"](
            a1.copy(), dict(POOL), mode="max"), (m, POOLED, POOLED, K), ("A", "cache"),
            digitnet.max_pool(a1)[0])
        scores, affine_cache = self._call("affine_forward", lambda: self.functions["affine_forward"](
            p.copy(), w2, b2), (m, CLASSES), ("Z", "cache"), digitnet.class_scores(p, params))
        self._caches = (conv_cache, relu_cache, pool_cache, affine_cache)
        return z1, a1, p, scores

    def _backward(self, c):
        """The saliency map (8, 8): d score_c / dx, pushed back layer by layer with the learner's
        backward functions where their forward pass left a cache, else the reference."""
        conv_cache, relu_cache, pool_cache, affine_cache = self._caches
        params, functions = self.params, self.functions
        dscores = np.zeros((1, CLASSES))
        dscores[0, c] = 1.0
        reference = digitnet.scores_back(dscores, params)
        dp = (self._call("affine_backward", lambda: functions["affine_backward"](
            dscores.copy(), affine_cache), reference.shape, ("dA_prev", "dW", "db"), reference)[0]
            if affine_cache is not None else self._reference("affine_backward", reference))
        z1, a1 = self.z1[None], self.a1[None]
        # A tied maximum has no derivative: the reference sends the block's gradient to the first
        # one (as notebook 6's pool_backward_fast and PyTorch do), notebook 4's loops to every
        # one. Compared away from ties, and where the ReLU lets a gradient through (z1 > 0).
        reference = digitnet.pool_back(dp, digitnet.max_pool(a1)[1])
        tied = digitnet.tied(a1) & (z1 > 0)
        da = (self._call("pool_backward", lambda: functions["pool_backward"](
            dp.copy(), pool_cache, mode="max"), reference.shape, "dA_prev", reference,
            mask=(z1 > 0) & ~tied)[0]
            if pool_cache is not None else self._reference("pool_backward", reference))
        if self.used["pool_backward"] == "yours" and not np.allclose(da[tied], reference[tied]):
            self.notes["pool_backward"].append(
                f"{int(tied.sum())} cells tie for the maximum of their pooling window. There the "
                "max has no derivative: your pool_backward shares the gradient differently from "
                "the reference, which gives it to the first maximum (as pool_backward_fast and "
                "PyTorch do); the saliency map follows yours.")
        reference = digitnet.rectify_back(da, z1)
        dz = (self._call("relu_backward", lambda: functions["relu_backward"](da.copy(), relu_cache),
                         reference.shape, "dZ", reference)[0]
              if relu_cache is not None else self._reference("relu_backward", reference))
        reference = digitnet.convolve_back(dz, params)[..., None]
        dx = (self._call("conv_backward", lambda: functions["conv_backward"](dz.copy(), conv_cache),
                         reference.shape, ("dA_prev", "dW", "db"), reference)[0]
              if conv_cache is not None else self._reference("conv_backward", reference))
        return dx[0, :, :, 0]

    def _reference(self, name, reference):
        """A backward pass whose forward pass is the reference's has no cache of the learner's:
        the reference is used (and said why, when the learner gave the function)."""
        self.used[name] = "reference"
        if name in self.functions:
            forward = name.replace("backward", "forward")
            why = "failed" if forward in self.functions else "was not given"
            self.notes[name] = [f"Your <code>{name}</code> is not called: <code>{forward}</code> "
                                f"{why}, so there is no cache of yours for it; the reference is used."]
        return reference

    # ------------------------------------------------------------------ per change

    def _refresh(self, _change=None):
        """Everything from the controls: the digit set, the input, the selection; full redraw."""
        if self._skip_refresh():
            return
        self._load_set(keep=True)
        self._compute()
        self._place_selection()
        self._frame(redraw=True)

    def _load_set(self, keep=False):
        """The input menu's test digits become those of the digits menu (drawings and uploads
        stay); the digit slider ranges over them. keep: the current input stays selected."""
        indices = self._set_indices(self.digit_set.value)
        self._digit_of = {self._digit_name(i): int(i) for i in indices}
        self._names = list(self._digit_of)
        others = {name: v for name, v in self.inputs.items() if not name.startswith("test #")}
        self.inputs.clear()
        self.inputs.update({name: self.test_pixels[i] for name, i in self._digit_of.items()})
        self.inputs.update(others)
        current = self.source.value if keep and self.source.value in self.inputs else None
        with self._muted():
            self.source.options = list(self.inputs)
            self.source.value = current or self._names[0]
            self.stepper.reset(len(self._names))
            self.stepper.position.value = self._names.index(self.source.value) \
                if self.source.value in self._digit_of else self.stepper.position.value

    @contextmanager
    def _muted(self):
        """Set controls without their observers recomputing anything (they check _skip_refresh)."""
        held, self._held = self._held, True
        try:
            yield
        finally:
            self._held = held

    def _on_set(self, _change):
        if self._skip_refresh():
            return
        self._load_set()
        self._on_input()

    def _show_digit(self, index):
        """The digit slider (or ▶, or step) moved: that digit of the set becomes the input. Called
        again with the same digit when ▶ pauses: the readouts skipped while playing are written."""
        if self._skip_refresh():
            return
        name = self._names[index]
        if self.source.value != name:
            self.source.value = name          # -> _on_input
        else:
            self._write_texts()

    def _on_input(self, _change=None):
        if self._skip_refresh():
            return
        name = self.source.value
        if name in self._digit_of:
            with self._muted():
                self.stepper.position.value = self._names.index(name)
        self._compute()
        self._frame()

    def _compute(self):
        """The network on the current input, then the saliency map and what feeds the class."""
        name = self.source.value
        self.raw = np.array(self.inputs[name], dtype=np.float64)
        self.digit = self._digit_of.get(name)
        self.label = None if self.digit is None else int(self.test_labels[self.digit])
        self.x = digitnet.network_input(self.raw, self.pixel_mean)
        self.notes = {}
        z1, a1, p, scores = self._forward(self.x[None])
        self.z1, self.a1, self.p, self.scores = z1[0], a1[0], p[0], scores[0]
        self.probabilities = digitnet.softmax(self.scores[None])[0]
        self.prediction = int(self.scores.argmax())
        self._explain_class()

    def _explain_class(self):
        c = self.chosen.value
        self.c = self.prediction if c == PREDICTED else c
        self.saliency = self._backward(self.c)
        self.feeds = self.p * self.params["W2"][:, self.c].reshape(POOLED, POOLED, K)

    def _on_select(self, change):
        if self._skip_refresh():
            return
        if change["owner"] is self.chosen:
            self._explain_class()
        self._show_selection()

    def _select(self, layer, k, row, col, show=True):
        """Trace a cell: set the trace controls (one repaint for all four)."""
        with self._muted():
            self.layer.value = layer
            if k is not None:
                self.map.value = k
            self._place_selection()
            self.row.value, self.col.value = row, col
        if show:
            self._show_selection()
        else:
            self._place_selection()

    def _show_selection(self):
        self._place_selection()
        self._frame()

    def _place_selection(self):
        """Ranges of the trace controls for the chosen layer, and the selected cell."""
        layer = self.layer.value
        n = POOLED if layer == "max pool P" else SIDE
        with self._muted():
            self.row.max, self.col.max = n - 1, n - 1
        self.map.disabled = layer == "input x"
        self.paint.disabled = layer != "input x"
        self.selected = (layer, self.map.value, self.row.value, self.col.value)
        if layer != "input x":
            self._filter_k = self.map.value

    # ------------------------------------------------------------------ drawing

    def _start_drawing(self, raw):
        """The drawing becomes raw (8, 8) and the input (its menu entry is added once)."""
        self.inputs[DRAWING] = np.array(raw, dtype=np.float64)
        if DRAWING not in self.source.options:
            with self._muted():
                self.source.options = list(self.inputs)
        if self.source.value != DRAWING:
            self.source.value = DRAWING        # -> _on_input
        else:
            self._on_input()

    def _draw_cell(self, row, col, value, busy=False):
        """Write value (0-16) into cell (row, col) of the drawing (started from the current input
        when that is not the drawing); recompute and repaint only if the cell changes.
        Returns whether it changed."""
        self._busy = busy
        if self.source.value != DRAWING:
            start = self.raw.copy()
            start[row, col] = value
            self._start_drawing(start)
            return True
        drawing = self.inputs[DRAWING]
        if drawing[row, col] == value:
            return False
        drawing[row, col] = value
        self._on_input()
        return True

    def _tool_value(self):
        return 0.0 if self.tool.value == "eraser" else float(self.ink.value)

    def _paint_selected(self):
        """The keyboard's way to draw: the tool at the traced input cell."""
        if self.layer.value == "input x":
            self._draw_cell(self.row.value, self.col.value, self._tool_value())

    def _pressed(self, event):
        if event["event"] == "mouseup":
            self._end_stroke()
            return
        ax = self.canvas.axes_at(event["dataX"], event["dataY"])
        if ax is None:
            return
        x, y = self.canvas.data_at(ax, event["dataX"], event["dataY"])
        if ax is self.ax_input:
            row, col = round(y), round(x)
            if 0 <= row < SIDE and 0 <= col < SIDE:
                self._stroke = self._tool_value()
                self._select("input x", None, row, col, show=False)
                if not self._draw_cell(row, col, self._stroke, busy=True):
                    self._frame()          # the same value: only the traced cell moved
            return
        self._pick(ax, x, y)

    def _moved(self, event):
        if self._stroke is None:
            return
        if not event.get("buttons", 1):       # released outside the picture
            self._end_stroke()
            return
        x, y = self.canvas.data_at(self.ax_input, event["dataX"], event["dataY"])
        row, col = round(y), round(x)
        if 0 <= row < SIDE and 0 <= col < SIDE and (row, col) != self.selected[2:]:
            self._select("input x", None, row, col, show=False)
            if not self._draw_cell(row, col, self._stroke, busy=True):
                self._frame()

    def _end_stroke(self):
        if self._stroke is None:
            return
        self._stroke = None
        self._busy = False
        self._write_texts()            # the readouts skipped while drawing

    _busy = False

    # ------------------------------------------------------------------ picking

    def _pick(self, ax, x, y):
        """A press on a map cell traces it, on a class's bar explains that class, on a cell of the
        confusion matrix lists its digits."""
        mosaics = {self.ax_conv: ("conv Z1", self.big), self.ax_relu: ("ReLU A1", self.big),
                   self.ax_pool: ("max pool P", self.small), self.ax_feeds: ("max pool P", self.small)}
        if ax in mosaics:
            layer, mosaic = mosaics[ax]
            cell = mosaic.cell_at(x, y)
            if cell is not None:
                self._select(layer, *cell)
        elif ax in (self.ax_scores, self.ax_probs):
            c = _bar_cell(ax, y)
            if c is not None:
                self.chosen.value = c
        elif ax is self.ax_confusion:
            t, p = round(y), round(x)
            if 0 <= t < CLASSES and 0 <= p < CLASSES:
                if self.confusion[t, p]:
                    self.digit_set.value = (t, p)
                else:
                    self.summary.value = (f"<p>No test digit is a {t} read as {p}: that cell of "
                                          "the confusion matrix is empty.</p>")

    # ------------------------------------------------------------------ the picture

    def _draw_layout(self):
        """Layers left to right: input over saliency, conv, ReLU, pool over what feeds the class,
        scores over probabilities, the traced filter over the confusion matrix."""
        figure = self.canvas.figure
        self.big, self.small = Mosaic(SIDE), Mosaic(POOLED)
        grid = figure.add_gridspec(2, 6, width_ratios=[1.3, 1.3, 1.3, 0.75, 0.95, 1.05])
        self.ax_input, self.ax_saliency = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[1, 0])
        self.ax_conv, self.ax_relu = figure.add_subplot(grid[:, 1]), figure.add_subplot(grid[:, 2])
        self.ax_pool, self.ax_feeds = figure.add_subplot(grid[0, 3]), figure.add_subplot(grid[1, 3])
        self.ax_scores, self.ax_probs = figure.add_subplot(grid[0, 4]), figure.add_subplot(grid[1, 4])
        self.ax_filter, self.ax_confusion = figure.add_subplot(grid[0, 5]), figure.add_subplot(grid[1, 5])
        animate = self.canvas.animate
        self.frames = {}
        image = dict(interpolation="nearest", interpolation_stage="data")

        ax = self.ax_input                                    # the input and its zero padding
        ax.set_xlim(-1.5, SIDE + 0.5)
        ax.set_ylim(SIDE + 0.5, -1.5)
        for x0, y0, w, h in [(-1.5, -1.5, SIDE + 2, 1), (-1.5, SIDE - 0.5, SIDE + 2, 1),
                             (-1.5, -0.5, 1, SIDE), (SIDE - 0.5, -0.5, 1, SIDE)]:
            ax.add_patch(Rectangle((x0, y0), w, h, **COVER))
        self.input_im = animate(Raster(ax, (SIDE, SIDE)))
        ax.set_title("input x: 8×8, ink 0–16\n(hatched: padding)", fontsize=9)
        ax.set_xticks(range(SIDE))
        ax.set_yticks(range(SIDE))

        ax = self.ax_saliency
        self.saliency_im = animate(Raster(ax, (SIDE, SIDE)))
        ax.set_xlim(-0.5, SIDE - 0.5)
        ax.set_ylim(SIDE - 0.5, -0.5)
        ax.set_title("saliency $\\partial s_c / \\partial x$: 8×8\nc: the framed bar; mid gray 0",
                     fontsize=9)
        ax.set_xticks(range(0, SIDE, 2))
        ax.set_yticks(range(0, SIDE, 2))

        self.map_ims = {}
        for ax, mosaic, title in [
                (self.ax_conv, self.big, "conv Z1 = W1 ∗ x + b1\n(8, 8, 8), mid gray 0"),
                (self.ax_relu, self.big, "ReLU A1 = max(0, Z1)\n(8, 8, 8), black 0"),
                (self.ax_pool, self.small, "max pool P\n(4, 4, 8), black 0"),
                (self.ax_feeds, self.small, "P × W2[:, c]: what feeds $s_c$\n(4, 4, 8), top 3 framed")]:
            self.map_ims[ax] = animate(Raster(ax, mosaic.shape))
            for k in range(K):
                r, c = mosaic.origin(k)
                ax.text(c + (mosaic.n - 1) / 2, r - 1, f"k = {k}", ha="center", va="center", fontsize=7)
            ax.set_xlim(-0.5, mosaic.shape[1] - 0.5)
            ax.set_ylim(mosaic.shape[0] - 0.5, -0.5)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(f"column (of {mosaic.n}) in map k")
            ax.set_ylabel(f"row (of {mosaic.n})")
            ax.set_title(title, fontsize=9)

        for ax in (self.ax_input, self.ax_saliency, self.ax_filter):
            ax.set_xlabel("column")
            ax.set_ylabel("row")
        for ax in (self.ax_input, self.ax_saliency, self.ax_filter, self.ax_confusion):
            ax.tick_params(labelsize=7)
        for ax in (self.ax_input, self.ax_conv, self.ax_relu, self.ax_pool, self.ax_feeds,
                   self.ax_confusion):
            self.frames[ax] = animate(ax.add_collection(PolyCollection(
                [], facecolors="none", edgecolors=HIGHLIGHT, linewidths=2, zorder=5)))

        ax = self.ax_filter
        self.filter_im = ax.imshow(np.zeros((3, 3)), cmap="gray", **image)
        self.filter_texts = value_texts(ax, 3)
        ax.set_xticks(range(3))
        ax.set_yticks(range(3))

        self.bars = {}
        for ax, label in [(self.ax_scores, "score"), (self.ax_probs, "probability")]:
            self.bars[ax] = animate(ax.add_collection(PolyCollection(
                [], edgecolors="black", linewidths=0, zorder=3)))
            ax.set_ylim(CLASSES - 0.5, -0.5)
            ax.set_yticks(range(CLASSES))
            ax.set_ylabel("class (digit)")
            ax.set_xlabel(label)
            ax.axvline(0, color="black", linewidth=0.8)
        self.ax_scores.set_xlim(*self.score_limits)
        self.ax_scores.set_title("scores = P·W2 + b2: (10,)", fontsize=9)
        self.ax_probs.set_xlim(0, 1.12)
        self.ax_probs.set_xticks([0, 0.5, 1])
        self.ax_probs.set_title("softmax p: (10,)\nred: predicted, ◀ true", fontsize=9)
        (self.true_mark,) = self.ax_probs.plot([], [], "<", color="tab:blue", markersize=8, zorder=4)
        animate(self.true_mark)

        ax = self.ax_confusion
        ax.imshow(np.log1p(self.confusion), cmap="gray_r", **image)
        for (t, p), count in np.ndenumerate(self.confusion):
            if count:
                ax.text(p, t, str(count), ha="center", va="center", fontsize=7,
                        color="white" if t == p else "tab:red")
        ax.set_xticks(range(CLASSES))
        ax.set_yticks(range(CLASSES))
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        accuracy = np.trace(self.confusion) / self.confusion.sum()
        ax.set_title(f"confusion, 10×10: {self.confusion.sum()}\ntest digits, "
                     f"{accuracy:.1%} right", fontsize=9)

    def _draw_filter(self):
        """The traced map's filter with its numbers: in the background, as it changes only when
        another map is traced (a full redraw follows)."""
        k = self._filter_k
        w = self.params["W1"][:, :, 0, k]
        limit = float(np.abs(w).max()) or 1.0
        self.filter_im.set_data(w)
        self.filter_im.set_clim(-limit, limit)
        write_values(self.filter_texts, w, (-limit, limit), fmt=lambda v: f"{v:.2f}")
        self.ax_filter.set_title(f"filter k = {k}: 3×3\nb1[{k}] = {self.params['b1'].ravel()[k]:.2f}",
                                 fontsize=9)
        self._drawn_filter = k

    def _frame(self, redraw=False):
        """Set every moving artist from the current state, then blit (or redraw when the traced
        map or the class changed) and write the readouts when due."""
        if redraw or self._drawn_filter != self._filter_k:
            self._draw_filter()
            redraw = True
        self.input_im.set_data(gray_rgba(self.raw, 0, 16, reverse=True))
        limit = float(np.abs(self.saliency).max()) or 1.0
        self.saliency_im.set_data(gray_rgba(self.saliency, -limit, limit))
        for ax, values, low, high in [(self.ax_conv, self.z1, -self.z_limit, self.z_limit),
                                      (self.ax_relu, self.a1, 0, self.z_limit),
                                      (self.ax_pool, self.p, 0, self.a_limit)]:
            mosaic = self.small if ax is self.ax_pool else self.big
            self.map_ims[ax].set_data(gray_rgba(mosaic.picture(values), low, high))
        limit = float(np.abs(self.feeds).max()) or 1.0
        self.map_ims[self.ax_feeds].set_data(gray_rgba(self.small.picture(self.feeds), -limit, limit))
        colours = np.where(np.arange(CLASSES)[:, None] == self.prediction,
                           to_rgba_array(HIGHLIGHT), to_rgba_array("0.6"))
        widths = np.where(np.arange(CLASSES) == self.c, 2.0, 0.0)
        for ax, values in [(self.ax_scores, np.clip(self.scores, *self.score_limits)),
                           (self.ax_probs, self.probabilities)]:
            self.bars[ax].set_verts([_bar(c, v) for c, v in enumerate(values)])
            self.bars[ax].set_facecolors(colours)
            self.bars[ax].set_linewidths(widths)
        self.true_mark.set_data([1.06] if self.label is not None else [],
                                [self.label] if self.label is not None else [])
        self._place_frames()
        if redraw:
            self.canvas.redraw()
        else:
            self.canvas.blit()
        if self.stepper.text_due(busy=self._busy):
            self._write_texts()

    def _place_frames(self):
        """Red frames: the traced cell and what it reads; the top 3 feeds; the digit set's pair."""
        frames = {ax: [] for ax in self.frames}
        layer, k, row, col = self.selected
        if layer == "input x":
            frames[self.ax_input].append(_box(col - 0.5, row - 0.5, 1))
        elif layer in ("conv Z1", "ReLU A1"):
            frames[self.ax_input].append(_box(col - 1.5, row - 1.5, 3))
            frames[self.ax_conv].append(self.big.box(k, row, col))
            if layer == "ReLU A1":
                frames[self.ax_relu].append(self.big.box(k, row, col))
        else:
            frames[self.ax_input].append(_box(2 * col - 1.5, 2 * row - 1.5, 4))
            frames[self.ax_pool].append(self.small.box(k, row, col))
            frames[self.ax_relu].append(self.big.box(k, 2 * row, 2 * col, 2))
        for index in np.argsort(self.feeds.ravel())[::-1][:3]:
            r, c, kk = np.unravel_index(index, self.feeds.shape)
            frames[self.ax_feeds].append(self.small.box(kk, r, c))
        if isinstance(self.digit_set.value, tuple):
            t, p = self.digit_set.value
            frames[self.ax_confusion].append(_box(p - 0.5, t - 0.5, 1))
        for ax, boxes in frames.items():
            self.frames[ax].set_verts(boxes)

    # ------------------------------------------------------------------ words

    def _input_name(self):
        name = self.source.value
        if self.digit is not None:
            return f"test digit #{self.digit} (true label {self.label})"
        return "your drawing" if name == DRAWING else f"your picture {name}"

    def _selected_value(self):
        layer, k, row, col = self.selected
        if layer == "input x":
            return f"input cell row {row}, col {col} = {self.raw[row, col]:g} (of 16)"
        values = {"conv Z1": self.z1, "ReLU A1": self.a1, "max pool P": self.p}[layer]
        return f"{layer} map {k}, row {row}, col {col} = {values[row, col, k]:.3f}"

    def describe(self):
        """The picture in words, for the img's text alternative: the input, the prediction, the
        traced value, the class explained."""
        second = int(np.argsort(self.probabilities)[-2])
        peak = np.unravel_index(np.abs(self.saliency).argmax(), self.saliency.shape)
        r, c, k = np.unravel_index(self.feeds.argmax(), self.feeds.shape)
        return (f"Digit network on {self._input_name()}: predicted {self.prediction} with "
                f"probability {self.probabilities[self.prediction]:.2f} (next {second}, "
                f"{self.probabilities[second]:.2f}). Traced: {self._selected_value()}. "
                f"Saliency of class {self.c}: largest at row {peak[0]}, col {peak[1]} "
                f"({self.saliency[peak]:+.3f}). Score {self.c} = {self.scores[self.c]:.2f}, fed most "
                f"by pooled map {k}, row {r}, col {c} ({self.feeds[r, c, k]:+.2f}).")

    def _write_texts(self):
        truth = ("" if self.label is None else
                 f" The true label is <b>{self.label}</b>" + (" ✔" if self.label == self.prediction else " ✘") + ".")
        order = np.argsort(self.probabilities)[::-1]
        self.summary.value = (
            f"<p>{escape(self._input_name())}: the network reads <b>{self.prediction}</b> with "
            f"p = {self.probabilities[self.prediction]:.3f}; next {order[1]} "
            f"({self.probabilities[order[1]]:.3f}), {order[2]} ({self.probabilities[order[2]]:.3f})."
            f"{truth} The network sees x = pixel / 16 − {self.pixel_mean:.3f} (the mean pixel).</p>")
        self.trace.value = self._trace_html()
        self.feeds_text.value = self._feeds_html()
        self.report.value = self._report_html()

    def _trace_html(self):
        layer, k, row, col = self.selected
        if layer == "input x":
            return (f"<p><b>x[{row}, {col}]</b> = {self.raw[row, col]:g} / 16 − {self.pixel_mean:.3f}"
                    f" = {self.x[row, col]:.4f}; the saliency there, ∂s{self.c}/∂x[{row}, {col}] = "
                    f"{self.saliency[row, col]:+.4f}: brightening this cell "
                    f"{'raises' if self.saliency[row, col] > 0 else 'lowers'} the score of class "
                    f"{self.c}.</p>")
        if layer == "conv Z1":
            window = np.pad(self.x, 1)[row:row + 3, col:col + 3]
            w = self.params["W1"][:, :, 0, k]
            b = float(self.params["b1"].ravel()[k])
            total = float(np.sum(window * w))
            shown = self.z1[row, col, k]
            check = ("✔" if np.isclose(shown, total + b) else f"✘ the value shown is {shown:.4f}")
            return (f"<p><b>Z1[{row}, {col}, {k}]</b> reads the input rows {row - 1}..{row + 1}, cols "
                    f"{col - 1}..{col + 1} (padded with zeros outside 0..7) with filter k = {k}:</p>"
                    + grid_html(window) + " × " + grid_html(w) + " → " + grid_html(window * w)
                    + f" summed = {total:.4f}<p><b>{total:.4f} + b1 ({b:.4f}) = {total + b:.4f}</b> {check}</p>")
        if layer == "ReLU A1":
            z = self.z1[row, col, k]
            return (f"<p><b>A1[{row}, {col}, {k}]</b> = max(0, Z1[{row}, {col}, {k}]) = max(0, {z:.4f}) = "
                    f"<b>{self.a1[row, col, k]:.4f}</b>"
                    + (" — the ReLU stops this value, and with it every gradient through it." if z <= 0 else "")
                    + "</p>")
        block = self.a1[2 * row:2 * row + 2, 2 * col:2 * col + 2, k]
        r, c = np.unravel_index(block.argmax(), block.shape)
        return (f"<p><b>P[{row}, {col}, {k}]</b> = the maximum of A1 rows {2 * row}..{2 * row + 1}, "
                f"cols {2 * col}..{2 * col + 1} of map {k}:</p>" + grid_html(block, bold=(r, c))
                + f" → <b>{self.p[row, col, k]:.4f}</b> (at row {2 * row + r}, col {2 * col + c}: only "
                "that cell gets this value's gradient)")

    def _feeds_html(self):
        c = self.c
        order = np.argsort(self.feeds.ravel())[::-1]
        rows = []
        w2 = self.params["W2"][:, c].reshape(POOLED, POOLED, K)
        for index in list(order[:5]) + list(order[-2:]):
            r, col, k = np.unravel_index(index, self.feeds.shape)
            rows.append(f"<tr><td>P[{r}, {col}, {k}]</td><td>{self.p[r, col, k]:.3f}</td>"
                        f"<td>× {w2[r, col, k]:+.3f}</td><td>= {self.feeds[r, col, k]:+.3f}</td></tr>")
        b = float(self.params["b2"][c])
        return (f"<p><b>Score {c}</b> = Σ P × W2[:, {c}] + b2[{c}] = {self.feeds.sum():.3f} + "
                f"{b:.3f} = <b>{self.feeds.sum() + b:.3f}</b> (shown: {self.scores[c]:.3f}). The "
                f"pooled cells that feed it most (weight × activation), and the two that pull it "
                f"down most:</p><table style='font-family:monospace;font-size:12px'>"
                + "".join(rows[:5]) + "<tr><td>…</td></tr>" + "".join(rows[5:]) + "</table>")

    def _report_html(self):
        if not self.functions:
            return ("<p><i>The explorer's own arithmetic computes every layer. Pass your layer "
                    "functions to see your network: network_explorer(params, ..., "
                    "conv_forward=..., relu_forward=..., ...).</i></p>")
        parts = [f"<code>{name}</code>: {self.used.get(name, 'reference')}" for name in FUNCTIONS
                 if name in self.functions]
        problems = [p for name in FUNCTIONS for p in self.notes.get(name, [])]
        head = "<p><b>Your functions:</b> " + ", ".join(parts) + ".</p>"
        return head + (notice(problems) if problems else
                       "<p>✔ Every one of them agrees with the explorer's reference on this input.</p>")

    def _calls(self):
        return equivalent_calls([
            ("this course", 'Z1, _ = conv_forward(X, W1, b1, {"stride": 1, "pad": 1}); '
                            "A1, _ = relu_forward(Z1); "
                            'P, _ = pool_forward(A1, {"f": 2, "stride": 2}, mode="max"); '
                            "scores, _ = affine_forward(P, W2, b2)", "X (1, 8, 8, 1)"),
            ("PyTorch", "nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), "
                        "nn.Flatten(), nn.Linear(128, 10))",
             "x (1, 1, 8, 8); Flatten takes the channels first, so W2's rows come in another order"),
            ("saliency", "x.requires_grad_(); model(x)[0, c].backward(); x.grad", ""),
        ])


def network_explorer(params=None, X_test=None, y_test=None, pixel_mean=None, *,
                     conv_forward=None, conv_backward=None, relu_forward=None, relu_backward=None,
                     pool_forward=None, pool_backward=None, affine_forward=None,
                     affine_backward=None):
    """Widget: the digit network of notebook 6 on one digit at a time, every layer, any value traced.

    params -- notebook 6's trained {"W1" (3, 3, 1, 8), "b1" (1, 1, 1, 8), "W2" (128, 10), "b2" (10,)};
    None: the course's network, trained now as notebook 6 trains it (a second or two, once per process).
    X_test -- (m, 8, 8, 1) test inputs as the network sees them (pixels / 16 - pixel_mean), y_test
    (m,) their labels, pixel_mean the number subtracted; None: notebook 6's split of load_digits.
    The layer functions, each optional, with the course's contracts (conv: stride 1, pad 1; pool:
    f 2, stride 2, mode "max"); a backward function is used with the cache of its own forward
    function. Those not given, and any that raises or returns a wrong shape (its error is shown
    in the widget), are replaced by the explorer's own arithmetic.
    """
    functions = {name: f for name, f in [
        ("conv_forward", conv_forward), ("conv_backward", conv_backward),
        ("relu_forward", relu_forward), ("relu_backward", relu_backward),
        ("pool_forward", pool_forward), ("pool_backward", pool_backward),
        ("affine_forward", affine_forward), ("affine_backward", affine_backward)] if f is not None}
    if params is None:
        params = digitnet.trained()
    _check_params(params)
    if X_test is None:
        if y_test is not None or pixel_mean is not None:
            raise ValueError("give X_test, y_test and pixel_mean together, or none of them")
        data = digitnet.digits()
        X_test = digitnet.network_input(data.test, data.pixel_mean)
        y_test, pixel_mean = data.y_test, data.pixel_mean
    elif y_test is None or pixel_mean is None:
        raise ValueError("with X_test, give its labels y_test and the pixel_mean that was subtracted")
    X_test = np.asarray(X_test, dtype=np.float64)
    if X_test.shape[1:] not in ((SIDE, SIDE), (SIDE, SIDE, 1)) or len(X_test) != len(y_test) or not len(X_test):
        raise ValueError(f"X_test must be (m, 8, 8, 1) with one label per image in y_test; got "
                         f"X_test {X_test.shape} and {len(y_test)} labels")
    return NetworkExplorer(params, X_test, y_test, pixel_mean, functions)


def _check_params(params):
    shapes = {"W1": (3, 3, 1, K), "b1": (1, 1, 1, K), "W2": (POOLED * POOLED * K, CLASSES),
              "b2": (CLASSES,)}
    for name, shape in shapes.items():
        if name not in params or np.shape(params[name]) != shape:
            got = np.shape(params[name]) if name in params else "missing"
            raise ValueError(f'params["{name}"] must have shape {shape} (notebook 6\'s network); '
                             f"got {got}")
