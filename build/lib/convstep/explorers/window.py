"""The machinery shared by the window explorers (convolution, pooling): one window per output cell.

A subclass builds its controls and axes; this base class recomputes on every control change, runs
the learner's function beside the reference, and draws the current window for every frame.
"""

import ipywidgets as widgets
import numpy as np

from . import geometry
from .canvas import Canvas
from .controls import Batched, Stepper
from .learner import run_learner
from .readouts import coverage_notes, html_box, notice, size_formula


class WindowExplorer(Batched, widgets.VBox):
    """Machinery shared by the convolution and pooling explorers.

    A subclass sets up its controls and axes, then implements _compute() (the reference output
    and the geometry for the current controls), _learner_call() and _arithmetic(row, col).
    Attributes after every refresh: padded (input as windows see it), f, s, d, reference
    (n_out_H, n_out_W), yours (same shape or None), diff (bool mask or None), first_diff.
    """

    learner_name = ""
    # Window geometry beyond f and s: a layer without padding or dilation (pooling) keeps these;
    # the convolution explorer sets its own from its sliders.
    p = 0
    d = 1

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
        self.calls = html_box()
        self.printed = widgets.Textarea(layout=widgets.Layout(display="none", width="98%"),
                                        disabled=True, description="printed")
        self.yours = self.diff = self.first_diff = None
        super().__init__([controls, self.stepper.box, self.canvas.image, self.formula,
                          self.notice, self.arithmetic, self.comparison, self.printed, self.calls])

    def _watch(self, *controls):
        for control in controls:
            control.observe(self._refresh, "value")

    # --- per parameter change

    def _refresh(self, _change=None):
        """Recompute everything that depends on the controls, redraw the static picture."""
        if self._skip_refresh():
            return
        notes = self._compute()
        n_h, n_w = self.reference.shape if self.reference.size else (0, 0)
        notes += coverage_notes(self.padded.shape[:2], self.f, self.s, self.d)
        self.notice.value = notice(notes)
        self.calls.value = self._calls()
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
        self.canvas.blit()
        if not self.stepper.text_due():
            return
        text = self._arithmetic(row, col)
        if self.yours is not None:
            mine, ref = self.yours[row, col], self.reference[row, col]
            same = self.diff is not None and not self.diff[row, col]
            text += (f"<p>Yours at ({row}, {col}): {mine:.4f} "
                     + ("✔ same as the reference" if same else f"✘ reference {ref:.4f}") + "</p>")
        self.arithmetic.value = text

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
