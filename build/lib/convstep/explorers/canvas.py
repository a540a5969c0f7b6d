"""Rendering: a matplotlib Figure drawn by Agg into an ipywidgets.Image, and the panels drawn on it.

Static parts (axes, the input image, titles) are drawn once per parameter change and cached as a
background; every frame restores that background and draws only the artists that move, then sends
one JPEG. This keeps a frame of a 512x512 image at a few milliseconds in the kernel, and works the
same in JupyterLab, Notebook 7 and Voila without any front-end extension.
"""

import io
import weakref

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from PIL import Image as PILImage

from . import geometry

DPI = 80
GRID_MAX = 32           # draw cell grid lines and integer ticks only up to this many cells
HIGHLIGHT = "tab:red"   # the current window and the output cell it writes: one colour, one link
COVER = dict(facecolor="white", edgecolor="0.55", hatch="///", linewidth=0)  # unwritten cells
UNREAD_RGBA = (1.0, 0.55, 0.0, 0.45)   # input cells that no window ever reads
DIFF_RGBA = (0.85, 0.0, 0.0, 0.75)     # output cells where the learner's value differs


# Axes positions of layouts already worked out, by (figure size, Canvas._key()).
_LAYOUTS = {}


class Canvas:
    """A Figure rendered with Agg into an ipywidgets.Image, redrawn in full only on demand.

    redraw() draws everything except the animated artists and caches that as the background;
    blit() pastes the background, draws the animated artists on top and publishes the picture.
    """

    def __init__(self, figsize):
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        FigureCanvasAgg(self.figure)
        # flex-start: a VBox would otherwise stretch the bitmap to its width and blur it.
        # The picture's size in pixels as img attributes: the browser knows the box before any
        # frame is decoded, so a new frame repaints the image without laying out the page again.
        width, height = (round(v) for v in self.figure.get_size_inches() * DPI)
        self.image = widgets.Image(format="jpeg", width=str(width), height=str(height),
                                   layout=widgets.Layout(max_width="100%", height="auto",
                                                         align_self="flex-start"))
        self._animated = []
        self._background = None
        self._layout_key = None

    def animate(self, *artists):
        """Mark artists as per-frame: left out of the background, drawn by every blit()."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self._animated.sort(key=lambda a: a.get_zorder())
        return artists[0] if len(artists) == 1 else artists

    def redraw(self):
        """Full draw (ticks, static images), cached as the background, then blit().

        The constrained layout (half the cost of a full draw) is worked out again only when it
        can change: when an axes' limits gain or lose a digit (wider tick labels), or a title or
        label appears or goes. A slider that changes only data and titles' numbers skips it.
        """
        key = self._key()
        engine = self.figure.get_layout_engine()
        # The same layout (figure size, panels, digits) was worked out before, maybe by another
        # explorer of the same kind in this kernel: reuse its axes positions.
        known = _LAYOUTS.get((self.figure.get_size_inches().tobytes(), key))
        if known is not None and key != self._layout_key:
            for ax, position in zip(self.figure.axes, known):
                ax.set_position(position)
        if key == self._layout_key or known is not None:
            self.figure.set_layout_engine("none")
        try:
            self.figure.canvas.draw()
        finally:
            self.figure.set_layout_engine(engine)
        if known is None:
            _LAYOUTS[(self.figure.get_size_inches().tobytes(), key)] = [
                ax.get_position(original=False) for ax in self.figure.axes]
        self._layout_key = key
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self.blit()

    def _key(self):
        """What the layout depends on: per axes, digits of its limits, which texts exist."""
        def digits(limits):
            return tuple(len(str(int(abs(v)))) + (v < 0) for v in limits)
        return tuple((ax.get_visible(), digits(ax.get_xlim()), digits(ax.get_ylim()),
                      bool(ax.get_title()), bool(ax.get_xlabel()), bool(ax.get_ylabel()),
                      len(ax.get_title().splitlines()))
                     for ax in self.figure.axes)

    def blit(self):
        """Paste the background, draw the visible animated artists, send the picture."""
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        self.publish()

    def publish(self):
        """Encode the Agg buffer and hand it to the Image widget."""
        self.image.value = encode(self.figure)

    # Picture pixels count from the top left, as the browser reports a click; Agg's from the bottom.

    def pixel(self, ax, x, y):
        """Where data point (x, y) of ``ax`` is in the picture, in pixels from the top left."""
        px, py = ax.transData.transform((x, y))
        return float(px), float(self.figure.bbox.height - py)

    def data_at(self, ax, px, py):
        """The data point of ``ax`` at pixel (px, py) of the picture (from the top left)."""
        x, y = ax.transData.inverted().transform((px, self.figure.bbox.height - py))
        return float(x), float(y)


def encode(figure):
    """JPEG bytes of an Agg-drawn figure.

    Quality 92 without chroma subsampling keeps thin lines and small text clean; it encodes in
    about 1 ms where PNG (even at zlib level 1) takes 8-13 ms for the same figure. The RGBA
    buffer is read in place (no NumPy copy of a strided RGB view) and converted by Pillow.
    """
    canvas = figure.canvas
    width, height = canvas.get_width_height(physical=True)
    rgb = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgb.convert("RGB").save(out, format="jpeg", quality=92, subsampling=0)
    return out.getvalue()


def cell_axes(ax, n_h, n_w, title):
    """Axes showing an (n_h, n_w) array with one unit per cell; grid lines for small arrays.

    The cell grid is one LineCollection per axes (not minor ticks: a tick is a costly artist,
    and a 32-cell grid would need 66 of them per panel at every full draw).
    """
    ax.set_xlim(-0.5, n_w - 0.5)
    ax.set_ylim(n_h - 0.5, -0.5)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    grid = _GRIDS.get(ax)
    if grid is None:
        grid = _GRIDS[ax] = ax.add_collection(LineCollection([], colors="0.6", linewidths=0.5,
                                                              zorder=2.5), autolim=False)
    if max(n_h, n_w) <= GRID_MAX:
        rows = [[(-0.5, y), (n_w - 0.5, y)] for y in np.arange(-0.5, n_h, 1)]
        cols = [[(x, -0.5), (x, n_h - 0.5)] for x in np.arange(-0.5, n_w, 1)]
        grid.set_segments(rows + cols)
    else:
        grid.set_segments([])


# The cell grid of each axes, created on first use.
_GRIDS = weakref.WeakKeyDictionary()


def display_rgb(image):
    """Opaque uint8 RGBA copy (n_H, n_W, 4) of an RGB image in [0, 1].

    matplotlib draws uint8 RGBA as is; float RGB would be normalised and converted on every draw,
    which costs about a third of a padding frame at 512x512.
    """
    rgb = (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, dtype=np.uint8)])


def overlay(mask, rgba):
    """(n_H, n_W, 4) uint8 image: rgba (floats in [0, 1]) where mask is True, transparent elsewhere.

    uint8, as display_rgb: matplotlib would normalise a float RGBA image again at every draw.
    """
    out = np.zeros(mask.shape + (4,), dtype=np.uint8)
    out[mask] = np.round(np.asarray(rgba) * 255)
    return out


class InputPanel:
    """An input image with the current window (rectangle plus tap marks) and unread cells shaded."""

    def __init__(self, canvas, ax):
        self.ax = ax
        self.im = ax.imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest", interpolation_stage="data")
        self.unread = ax.imshow(np.zeros((1, 1, 4)), interpolation="nearest", interpolation_stage="data")
        self.window = canvas.animate(ax.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        (self.taps,) = ax.plot([], [], "o", color=HIGHLIGHT, markersize=4, zorder=6)
        canvas.animate(self.taps)

    def show(self, image, rows_read, cols_read, title):
        """Draw image (n_H, n_W) or (n_H, n_W, 3) and shade cells whose row or column no window reads."""
        n_h, n_w = image.shape[:2]
        extent = (-0.5, n_w - 0.5, n_h - 0.5, -0.5)
        self.im.set_data(display_rgb(image) if image.ndim == 3 else image)
        self.im.set_clim(*colour_range(image))
        self.im.set_extent(extent)
        unread = ~(rows_read[:, None] & cols_read[None, :])
        self.unread.set_data(overlay(unread, UNREAD_RGBA))
        self.unread.set_extent(extent)
        cell_axes(self.ax, n_h, n_w, title)

    def place(self, top, left, f, d):
        """Outline the window with corner (top, left) of f taps spaced d; mark taps if d > 1."""
        span = geometry.effective_size(f, d)
        self.window.set_bounds(left - 0.5, top - 0.5, span, span)
        self.window.set_visible(True)
        rows, cols = np.meshgrid(geometry.taps(top, f, d), geometry.taps(left, f, d), indexing="ij")
        self.taps.set_data(cols.ravel(), rows.ravel())
        self.taps.set_visible(d > 1)

    def hide_window(self):
        """No window exists (the filter does not fit)."""
        self.window.set_visible(False)
        self.taps.set_visible(False)


class MapPanel:
    """An output map that fills in cell by cell: hatched covers hide the cells not yet written."""

    def __init__(self, canvas, ax):
        self.ax = ax
        self.im = ax.imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest", interpolation_stage="data")
        self.marks = ax.imshow(np.zeros((1, 1, 4)), interpolation="nearest", interpolation_stage="data")
        self.covers = canvas.animate(*(ax.add_patch(Rectangle((0, 0), 0, 0, zorder=4, **COVER))
                                       for _ in range(2)))
        self.cell = canvas.animate(ax.add_patch(Rectangle(
            (0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5, zorder=5)))
        self.empty = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                             wrap=True, fontsize=10)
        self.shape = (0, 0)

    def show(self, values, clim, title, marks=None):
        """Draw values (n_H, n_W) on the colour range clim; marks (n_H, n_W) bool are shaded red.

        An empty values array shows a note instead (no window fits).
        """
        self.shape = values.shape
        n_h, n_w = values.shape
        self.empty.set_text("" if values.size else "no output:\nno window fits")
        shown = values if values.size else np.full((1, 1), np.nan)
        extent = (-0.5, max(n_w, 1) - 0.5, max(n_h, 1) - 0.5, -0.5)
        self.im.set_data(shown)
        self.im.set_clim(*clim)
        self.im.set_extent(extent)
        mask = marks if marks is not None else np.zeros(shown.shape, dtype=bool)
        self.marks.set_data(overlay(mask, DIFF_RGBA))
        self.marks.set_extent(extent)
        cell_axes(self.ax, max(n_h, 1), max(n_w, 1), title)

    def fill_until(self, row, col):
        """Show cells up to (row, col) in row-major order; cover the rest; outline (row, col)."""
        n_h, n_w = self.shape
        below, right = self.covers
        below.set_bounds(-0.5, row + 0.5, n_w, n_h - row - 1)
        right.set_bounds(col + 0.5, row - 0.5, n_w - col - 1, 1)
        self.cell.set_bounds(col - 0.5, row - 0.5, 1, 1)
        for artist in (below, right, self.cell):
            artist.set_visible(bool(self.shape[0]))


def colour_range(values):
    """(vmin, vmax) of values, widened when flat so the colour map stays defined."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    return (low - 0.5, high + 0.5) if high - low < 1e-12 else (low, high)


def value_texts(ax, n):
    """An n x n grid of centred text artists (hidden until given values)."""
    return [[ax.text(j, i, "", ha="center", va="center", fontsize=8, visible=False)
             for j in range(n)] for i in range(n)]


def write_values(texts, values, clim, hide_zeros=False, fmt=None):
    """Write values (h, w) into the top-left of a text grid; text colour contrasts its cell.

    fmt -- a function from a number to its text; by default two decimals without trailing zeros.
    """
    fmt = fmt or (lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    middle = sum(clim) / 2
    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            show = i < values.shape[0] and j < values.shape[1]
            show = show and not (hide_zeros and values[i, j] == 0)
            text.set_visible(bool(show))
            if show:
                text.set_text(fmt(values[i, j]))
                text.set_color("white" if values[i, j] < middle else "black")
