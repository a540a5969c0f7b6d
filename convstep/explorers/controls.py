"""Controls: the widgets a learner moves, apart from the plotting (as mpl-interactions' controller).

Each explorer builds its controls from these and observes their values; nothing here draws.
"""

import math

import ipywidgets as widgets
import numpy as np

FRAME_MS = 50           # Play interval: 20 frames/s when the kernel keeps up
MAX_PLAY_FRAMES = 150   # a full pass of Play over a large output takes at most this many frames


def slider(description, low, high, value):
    """Integer slider that reports while dragging."""
    return widgets.IntSlider(value=value, min=low, max=high, description=description,
                             continuous_update=True, style={"description_width": "initial"},
                             layout=widgets.Layout(width="210px"))


class Stepper:
    """Play/pause, a one-step button and a position slider over the output cells of a layer.

    Play counts frames; a frame shows position frame * chunk, so one pass over any output
    takes at most MAX_PLAY_FRAMES frames and ends on the last cell.
    """

    def __init__(self, on_position):
        self.play = widgets.Play(interval=FRAME_MS, min=0, max=0, description="play",
                                 show_repeat=False)
        self.position = widgets.IntSlider(min=0, max=0, description="position",
                                          continuous_update=True,
                                          layout=widgets.Layout(width="360px"))
        self.step = widgets.Button(description="step", icon="step-forward",
                                   tooltip="write the next output cell",
                                   layout=widgets.Layout(width="90px"))
        self.box = widgets.HBox([self.play, self.step, self.position])
        self._on_position = on_position
        self._chunk = 1
        self._quiet = False
        self.play.observe(self._frame, "value")
        self.position.observe(self._moved, "value")
        self.step.on_click(self._next)

    def reset(self, count):
        """Range over count cells (0 disables everything); keep the position when it still fits."""
        self._chunk = max(1, math.ceil((count - 1) / MAX_PLAY_FRAMES))
        keep = min(self.position.value, max(count - 1, 0))
        self._quiet = True
        try:
            self.play.playing = self.play.playing and count > 1
            self.position.max = max(count - 1, 0)
            self.play.max = math.ceil((count - 1) / self._chunk) if count > 1 else 0
            self.position.value = keep
            self.play.value = keep // self._chunk
        finally:
            self._quiet = False
        for control in (self.play, self.position, self.step):
            control.disabled = count == 0

    def _frame(self, change):
        if not self._quiet:
            self.position.value = min(change["new"] * self._chunk, self.position.max)

    def _moved(self, change):
        if not self._quiet:
            self._quiet = True
            try:
                self.play.value = change["new"] // self._chunk
            finally:
                self._quiet = False
        self._on_position(change["new"])

    def _next(self, _button):
        self.position.value = min(self.position.value + 1, self.position.max)


def image_menu(image, options):
    """Dropdown of named inputs; a caller's image comes first and is the default."""
    named = {}
    if image is not None:
        array = np.asarray(image, dtype=np.float64)
        if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3)):
            raise ValueError(f"image must be (n_H, n_W) or (n_H, n_W, 3); got shape {array.shape}")
        array = array[..., 0] if array.ndim == 3 and array.shape[2] == 1 else array
        named[f"your image {array.shape[0]}×{array.shape[1]}"] = array
    named.update(options)
    return widgets.Dropdown(options=list(named), description="input",
                            layout=widgets.Layout(width="300px")), named
