"""Guided tours: the answer buttons of the self-learner notebooks and the landing page's gallery.

The answers live here rather than in the notebooks, so that a learner reading a notebook's code in
JupyterLab does not see them before pressing the button. Nothing is graded.
"""

import base64
import io
from html import escape

import ipywidgets as widgets
from PIL import Image as PILImage

# (notebook, task number) -> answer HTML.
ANSWERS = {
    ("padding", 1): "(22, 22): 16 + 2·3 = 22 rows and columns. The RGB image becomes (22, 22, 3): "
                    "the channels are never padded.",
    ("padding", 2): "p = (f − 1)/2 = 1: ⌊(16 + 2·1 − 3)/1⌋ + 1 = 16, a “same” convolution.",
    ("padding", 3): "Row p: X_pad[i + p, j + p] = X[i, j]. The picture keeps the original "
                    "coordinates, so the zeros sit in rows −p … −1 and n_H … n_H + p − 1.",
    ("convolution", 1): "⌊(8 + 2·1 − 3)/2⌋ + 1 = ⌊7/2⌋ + 1 = 4, so Z is 4×4. The padded input has "
                        "10 rows; the last window reads rows 6..8, so row 9 is never read "
                        "(shaded orange): 10 − 3 = 7 is not a multiple of 2.",
    ("convolution", 2): "The input itself, 8×8, plus b: every window keeps only its centre value.",
    ("convolution", 3): "f_eff = d(f − 1) + 1 = 2·2 + 1 = 5, so ⌊(8 − 5)/1⌋ + 1 = 4: a 4×4 output "
                        "from a window that spans 5×5 cells but reads only 9 of them.",
    ("convolution", 4): "Sobel x responds to brightness changing from left to right: vertical "
                        "edges turn bright or dark. Sobel y shows the horizontal edges.",
    ("pooling", 1): "⌊(8 − 3)/3⌋ + 1 = 2, so A is 2×2; rows and columns 6 and 7 are never pooled.",
    ("pooling", 2): "Yes: with s = 1 every input inside the image is in up to f² = 9 windows, and "
                    "it is the maximum of each of them in which it is the largest value. In "
                    "back-propagation it then receives the gradient of all of them.",
    ("pooling", 3): "The mean of the four cells A_prev[0:2, 0:2]; average pooling is a convolution "
                    "with every weight 1/f² = 1/4, applied to each channel alone.",
    ("gradients", 1): "9: the windows of output rows 0..2 and columns 0..2 all contain input (2, 2). "
                      "dA_prev[2, 2] is the sum of the weights of W that touch it, here every "
                      "weight once: Σ W, which is 0 for Sobel x (its columns add up to 4, 0 and −4).",
    ("gradients", 2): "db = 16: dZ = 1 at each of the 4×4 output cells, and db adds dZ over all of "
                      "them.",
    ("gradients", 3): "The sum of dA_prev is the number of windows, 3×3 = 9: each window sends its "
                      "1 to exactly one input. With s = 1 there are 5×5 = 25 windows, so the sum is "
                      "25; the windows overlap, and one input can collect several of them.",
    ("transposed", 1): "(3 − 1)·2 − 2·1 + 3 + 1 = 6.",
    ("transposed", 2): "A “full” convolution: n + f − 1 outputs, the same as a stride-1 "
                       "convolution of the input padded by f − 1 zeros with the flipped filter.",
    ("transposed", 3): "A convolution with f = 3, s = 2, p = 1 maps both 5×5 and 6×6 inputs to 3×3 "
                       "(⌊(5 + 2 − 3)/2⌋ + 1 = ⌊(6 + 2 − 3)/2⌋ + 1 = 3). Output padding 0 gives 5, "
                       "output padding 1 gives 6: it picks which size dA_prev has.",
    ("receptive", 1): "14: r = 1 → 3 → 4 → 12 → 14 with jumps 1, 1, 2, 2, 4 "
                      "(r_l = r_(l−1) + (f_eff − 1)·j_(l−1)). The corner cell (0, 0) has the same "
                      "14×14 field, but it starts 3 rows above and 3 columns left of the image, "
                      "in the zero padding: only its 11×11 part inside the image can receive "
                      "gradient.",
    ("receptive", 2): "10: layer 3 then has f_eff = 3, so r3 = 4 + 2·2 = 8 and r4 = 8 + 1·2 = 10.",
    ("receptive", 3): "Only the cells that won each max: the gradient of a max goes to one input "
                      "per window, and which one depends on the picture. The receptive field is "
                      "every cell that could win, which the average-pool experiment shows.",
}


def answer(notebook, task, label="show the answer"):
    """A button that reveals (and hides again) the answer to task number task of notebook."""
    text = widgets.HTML(f'<div style="border-left:4px solid #2e7d32;background:#eef7ee;'
                        f'padding:4px 8px;max-width:900px">{ANSWERS[(notebook, task)]}</div>',
                        layout=widgets.Layout(display="none"))
    button = widgets.Button(description=label, icon="eye", layout=widgets.Layout(width="170px"))

    def toggle(_button):
        shown = text.layout.display != "none"
        text.layout.display = "none" if shown else ""
        button.description = label if shown else "hide the answer"

    button.on_click(toggle)
    return widgets.VBox([button, text])


# (notebook, title, one line, factory name in convstep.explorers)
GALLERY = [
    ("01_padding.ipynb", "Zero padding", "a border of zeros around a photograph, and the new shape",
     "padding_explorer"),
    ("02_convolution.ipynb", "Convolution", "a filter sliding over the padded input, value by value",
     "conv_explorer"),
    ("03_pooling.ipynb", "Pooling", "max and average pooling, window by window", "pool_explorer"),
    ("04_gradients.ipynb", "Gradient flow", "where the gradient of one output goes; how dW adds up",
     "gradient_explorer"),
    ("05_transposed.ipynb", "Transposed convolution", "the filter painted by every input cell",
     "transposed_explorer"),
    ("06_receptive_fields.ipynb", "Receptive fields", "what one cell of a deep layer can see",
     "receptive_field_explorer"),
]


def thumbnail(explorer, width=300):
    """A data: URI of an explorer's current picture, scaled to width pixels (JPEG)."""
    picture = PILImage.open(io.BytesIO(explorer.canvas.image.value)).convert("RGB")
    height = round(picture.height * width / picture.width)
    out = io.BytesIO()
    picture.resize((width, height), PILImage.Resampling.LANCZOS).save(out, format="jpeg", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def gallery():
    """The landing page: a small picture of each explorer (drawn now), linked to its notebook."""
    from .. import explorers   # the package's public factories (imported here: no cycle)

    cards = []
    for notebook, title, line, factory in GALLERY:
        src = thumbnail(getattr(explorers, factory)())
        cards.append(
            f'<a href="{notebook}" style="text-decoration:none;color:inherit">'
            '<div style="border:1px solid #ccc;border-radius:6px;padding:6px;width:310px">'
            f'<img src="{src}" alt="{escape(title)}" style="width:300px;display:block">'
            f"<b>{escape(title)}</b><br><span style='font-size:12px'>{escape(line)}</span>"
            "</div></a>")
    return widgets.HTML('<div style="display:flex;flex-wrap:wrap;gap:10px">' + "".join(cards)
                        + "</div>")


# The network explorer's tour (notebook 07): its own block, apart from the tours above.
ANSWERS.update({
    ("network", 1): "x = 0 there. The network sees x = pixel / 16 − 0.305 (the mean pixel of the "
                    "training images) and pads x with zeros, so a padded cell is pixel = 16 × "
                    "0.305 ≈ 4.9 on the 0–16 scale: faint ink, not the blank paper around the "
                    "digit (pixel 0, x = −0.305).",
    ("network", 2): "A1 rows 2..3, cols 4..5 of the same map k: the 2×2 block whose maximum P "
                    "keeps. Each of those four cells reads a 3×3 window of x, so P[1, 2, k] "
                    "depends on the 4×4 input cells rows 1..4, cols 3..6 (the frame on the input).",
    ("network", 3): "Zero. ReLU's gradient is 1[Z1 > 0]: a cell with Z1 ≤ 0 passes nothing back, "
                    "so no input pixel reaches the class score through it. Only the maximum of each "
                    "pooling block passes a gradient at all, and only if it is positive.",
    ("network", 4): "Two, twice each: a 4 read as 9 and an 8 read as 1. The other five mistakes "
                    "are single digits (9 of the 360 test digits are misread). Those 4s close their "
                    "top into a loop over a vertical stroke, as a 9 does; those 8s are narrow, their "
                    "loops filled in at 8×8 pixels: a thick vertical stroke, as a 1 is.",
})
GALLERY.append(("07_network.ipynb", "Your network", "draw a digit, watch every layer, trace any value",
                "network_explorer"))
