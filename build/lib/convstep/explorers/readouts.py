"""Readouts: the HTML under each picture (tables of numbers, boxed notes, formulas with numbers).

Functions return HTML strings for an ``ipywidgets.HTML``; nothing here draws or observes.
"""

from html import escape

import ipywidgets as widgets
import numpy as np

from . import geometry


def html_box(**layout):
    return widgets.HTML(layout=widgets.Layout(**layout))


TABLE = ("border-collapse:collapse;font-family:monospace;font-size:12px;"
          "display:inline-table;vertical-align:middle;margin:2px 4px")
CELL = "border:1px solid #bbb;padding:1px 4px;text-align:right"


def grid_html(values, bold=None):
    """An HTML table of a 2-D array with two decimals; bold is an optional (row, col) to stress."""
    rows = []
    for i, row in enumerate(values):
        cells = []
        for j, v in enumerate(row):
            text = f"<b>{v:.2f}</b>" if bold == (i, j) else f"{v:.2f}"
            cells.append(f'<td style="{CELL}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table style="{TABLE}">' + "".join(rows) + "</table>"


def notice(items):
    """Boxed explanations (list of HTML strings), or nothing."""
    if not items:
        return ""
    body = "".join(f"<li>{item}</li>" for item in items)
    return ('<div style="border-left:4px solid #b45f06;background:#fff4e5;padding:4px 8px;'
            f'margin:4px 0"><ul style="margin:0;padding-left:18px">{body}</ul></div>')


def size_formula(label, n, f_eff, s, p, n_out):
    """The output-size formula for one axis with the current numbers substituted."""
    span = n + 2 * p - f_eff
    pad = f" + 2·{p}" if p else ""
    rhs = (f"⌊{span}/{s}⌋ + 1 = {n_out}" if span >= 0
           else f"⌊{span}/{s}⌋ + 1 ≤ 0: no window fits")
    return f"{label} = ⌊({n}{pad} − {f_eff}) / {s}⌋ + 1 = {rhs}"


def coverage_notes(shape, f, s, d):
    """Explanations of padded input cells that no window reads, for shape (n_H, n_W); or [].

    Two causes: the filter does not fit at all; (n - f_eff) is not a multiple of the stride,
    leaving trailing rows/columns; or dilation taps skipping cells that no window covers.
    """
    f_eff = geometry.effective_size(f, d)
    outs = [geometry.output_size(n, f, s, 0, d) for n in shape]
    if 0 in outs:
        return [f"<b>The filter does not fit.</b> f_eff = {f_eff} is larger than the "
                f"{shape[0]}×{shape[1]} (padded) input, so there is no window position and the "
                "output is empty. Make f or d smaller, or the pad larger."]
    if shape[0] == shape[1]:
        axes = [("rows and columns", shape[0], outs[0])]
    else:
        axes = [("rows", shape[0], outs[0]), ("columns", shape[1], outs[1])]
    notes = []
    for label, n, n_out in axes:
        read = geometry.read_mask(n, f, s, d, n_out)
        last = (n_out - 1) * s + f_eff - 1
        idle = np.flatnonzero(~read)
        past, between = idle[idle > last], idle[idle <= last]
        if past.size:
            notes.append(f"({n} − f_eff) = {n - f_eff} is not a multiple of the stride {s}: the "
                         f"last window ends at index {last}; the next would span {n_out * s}.."
                         f"{n_out * s + f_eff - 1}, past the last index {n - 1}, so {label} "
                         f"{geometry.index_ranges(past)} are never read (shaded orange).")
        if between.size:
            notes.append(f"{label.capitalize()} {geometry.index_ranges(between)} fall between "
                         f"the taps of every window (dilation {d}, stride {s}): no output reads "
                         "them (shaded orange).")
    return notes


def equivalent_calls(lines):
    """The current settings as code: lines is a list of (label, code, note or "")."""
    rows = "".join(
        f'<div style="margin:1px 0"><span style="color:#555">{label}:</span> '
        f'<code style="background:#f3f3f3;padding:1px 4px">{escape(code)}</code>'
        + (f' <span style="color:#555">{note}</span>' if note else "") + "</div>"
        for label, code, note in lines)
    return f'<div style="font-size:12px;margin-top:4px"><b>The same in code</b>{rows}</div>'
