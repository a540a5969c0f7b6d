"""Interactive explorers (ipywidgets): padding, convolution, pooling, gradient flow, transposed
convolution and receptive fields.

Each explorer owns one matplotlib Figure drawn by Agg (no pyplot, so nothing is shown twice by
the inline backend) and shows it in an ``ipywidgets.Image`` (see ``canvas``). The modules:

- ``canvas``: the Agg canvas blitted into an Image widget, and the panels drawn on it;
- ``controls``: sliders, the play/step/position stepper, the image menu (no plotting);
- ``readouts``: the HTML under the pictures (number tables, notes, formulas);
- ``learner``: runs a learner's function safely and explains what is wrong with its result;
- ``geometry``: window positions, output sizes and the reference arithmetic, one image at a time;
- ``window``: the base class of the window explorers (convolution, pooling);
- ``convolution``, ``pooling``, ``padding``, ``gradients``, ``transposed``, ``receptive``: one
  explorer each;
- ``tour``: the guided tours' answer buttons and the landing page's gallery.

Public API: padding_explorer, conv_explorer, pool_explorer, gradient_explorer,
transposed_explorer, receptive_field_explorer.
"""

from .canvas import DPI, encode
from .controls import FPS, FRAME_MS, MAX_PLAY_FRAMES
from .convolution import FILTER_NAMES, ConvExplorer, conv_explorer, filter_kernel
from .gradients import GradientExplorer, gradient_explorer
from .padding import PaddingExplorer, padding_explorer
from .pooling import PoolExplorer, pool_explorer
from .receptive import ReceptiveFieldExplorer, receptive_field_explorer
from .transposed import TransposedExplorer, transposed_explorer

__all__ = [
    "conv_explorer", "pool_explorer", "padding_explorer", "gradient_explorer",
    "transposed_explorer", "receptive_field_explorer",
    "ConvExplorer", "PoolExplorer", "PaddingExplorer", "GradientExplorer", "TransposedExplorer",
    "ReceptiveFieldExplorer",
    "FILTER_NAMES", "filter_kernel", "DPI", "FPS", "FRAME_MS", "MAX_PLAY_FRAMES", "encode",
]
