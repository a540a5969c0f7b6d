"""The lessons' static figures: arrays drawn cell by cell, with their numbers written in the cells.

The explorers draw the same kind of picture in place, frame after frame (``explorers.canvas``); a
lesson draws it once, so it only needs the axes (``explorers.canvas.cell_axes``: integer ticks on
the cells and a grid) and these numbers.
"""

import numpy as np


def write_cells(ax, image, values, fmt="{:g}", fontsize=11):
    """Write each entry of ``values`` (n_rows, n_cols) at the centre of its cell of ``ax``.

    image -- the AxesImage that shows the cells: each number is black on a light cell and white on
             a dark one, whatever the colour map and its limits.
    fmt -- a format string for one number; a negative zero is written 0, not -0.
    """
    for (row, col), value in np.ndenumerate(values):
        red, green, blue, _ = image.cmap(image.norm(value))
        light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5      # luma (ITU-R BT.601)
        ax.text(col, row, fmt.format(value + 0.0), ha="center", va="center", fontsize=fontsize,
                color="black" if light else "white")
