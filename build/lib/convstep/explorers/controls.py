"""Controls: the widgets a learner moves, apart from the plotting (as mpl-interactions' controller).

Each explorer builds its controls from these and observes their values; nothing here draws.
"""

import asyncio
import math
import time
from contextlib import contextmanager
from html import escape

import ipywidgets as widgets
import numpy as np

from .. import images

FPS = 40                # default Play speed in frames/s (the speed slider goes from 1 to FPS_MAX)
FPS_MAX = 60
FRAME_MS = round(1000 / FPS)   # time between frames at the default speed
# The browser's Play timer is set so far out that it never fires after the first step: the kernel
# times the frames itself (see Player), so the frame rate is not capped by the round trip.
BROWSER_TIMER_MS = 100_000_000
MAX_PLAY_FRAMES = 150   # a full pass of Play over a large output takes at most this many frames
# While Play runs, the HTML readouts (numbers, arithmetic) are rewritten at most this often:
# nobody reads 30 tables a second, and re-laying them out is what slows the browser down.
TEXT_EVERY_S = 0.25
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class Batched:
    """Mixin for an explorer whose _refresh() recomputes everything from its controls.

    ``with explorer.hold(): ...`` sets several controls with one recomputation at the end (a
    notebook cell or a test that changes four sliders pays for one redraw, not four).
    """

    _held = False

    @contextmanager
    def hold(self):
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self._refresh()

    def _skip_refresh(self):
        return self._held


def slider(description, low, high, value):
    """Integer slider that reports while dragging."""
    return widgets.IntSlider(value=value, min=low, max=high, description=description,
                             continuous_update=True, style={"description_width": "initial"},
                             layout=widgets.Layout(width="210px"))


class Player:
    """A Play widget (its buttons and value) whose frames are timed by the kernel.

    ipywidgets' Play counts in the browser and sends every value to the kernel, but the browser
    sends the next value only after the kernel has answered the previous one, so the frame rate
    can never beat one round trip (browser, server, kernel and back: 40-80 ms on a busy 2-core
    machine, whatever the interval). Here the browser only starts and pauses; while playing, a
    task on the kernel's event loop advances play.value every 1/speed seconds and the pictures
    flow one way. Without a running event loop (plain Python, headless tests) nothing is
    scheduled: whoever sets play.value drives it.
    """

    def __init__(self, description="play"):
        self.play = widgets.Play(interval=BROWSER_TIMER_MS, min=0, max=0, description=description,
                                 show_repeat=False)
        self.speed = widgets.IntSlider(value=FPS, min=1, max=FPS_MAX, description="speed",
                                       continuous_update=True, readout_format="d",
                                       tooltip="Play speed in frames per second",
                                       layout=widgets.Layout(width="230px"))
        self.speed_unit = widgets.Label("frames/s")
        self._task = None
        self.play.observe(self._playing, "playing")

    @property
    def interval_ms(self):
        """Time between frames at the current speed."""
        return round(1000 / self.speed.value)

    def _playing(self, change):
        if not change["new"]:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())

    async def _run(self):
        due = time.monotonic()
        while self.play.playing:
            due = max(due + self.interval_ms / 1000, time.monotonic())   # late frames: no burst
            await asyncio.sleep(due - time.monotonic())
            if not self.play.playing:
                break
            if self.play.value + 1 > self.play.max:
                self.play.playing = False
                break
            self.play.value += 1


class Stepper:
    """Play/pause, a one-step button and a position slider over the output cells of a layer.

    Play counts frames; a frame shows position frame * chunk, so one pass over any output
    takes at most MAX_PLAY_FRAMES frames and ends on the last cell.
    """

    def __init__(self, on_position):
        self.player = Player()
        self.play, self.speed, self.speed_unit = self.player.play, self.player.speed, self.player.speed_unit
        self.position = widgets.IntSlider(min=0, max=0, description="position",
                                          continuous_update=True,
                                          layout=widgets.Layout(width="360px"))
        self.step = widgets.Button(description="step", icon="step-forward",
                                   tooltip="write the next output cell",
                                   layout=widgets.Layout(width="90px"))
        self.box = widgets.HBox([self.play, self.step, self.position, self.speed, self.speed_unit])
        self._on_position = on_position
        self._chunk = 1
        self._quiet = False
        self._last_text = 0.0
        self.text_every_s = TEXT_EVERY_S
        self.play.observe(self._frame, "value")
        self.play.observe(self._stopped, "playing")
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
        self._on_position(change["new"])        # the picture goes out before Play's update
        if not self._quiet:
            self._quiet = True
            try:
                self.play.value = change["new"] // self._chunk
            finally:
                self._quiet = False

    def _next(self, _button):
        self.position.value = min(self.position.value + 1, self.position.max)

    def _stopped(self, change):
        if change["new"]:
            self._last_text = 0.0     # the first frame of a Play writes its readouts
        else:
            # Paused or ended: the last frame's readouts may have been skipped; write them now.
            self._on_position(self.position.value)

    def text_due(self):
        """Whether this frame should rewrite the HTML readouts: always, except while playing,
        where it is at most every text_every_s seconds and on the last cell."""
        now = time.monotonic()
        if (not self.play.playing or self.position.value == self.position.max
                or now - self._last_text >= self.text_every_s):
            self._last_text = now
            return True
        return False


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


class ImageSource:
    """The input menu of an explorer plus an upload control for the learner's own picture.

    menu -- the Dropdown whose value names the current input (explorers observe it);
    inputs -- {name: array}; upload -- FileUpload (PNG/JPEG); message -- HTML, empty or an error.
    An uploaded file is decoded, converted (gray unless rgb), resized so its longer side is at
    most max_side, and added twice: at that size and as a small square (small_side) to step
    through; the larger one is selected. A file that is too large, not an image or corrupt
    leaves the menu and the current input as they were and says why.
    """

    def __init__(self, image, options, rgb=True, max_side=512, small_side=16, convert=None):
        self.menu, self.inputs = image_menu(image, options)
        self.rgb, self.max_side, self.small_side = rgb, max_side, small_side
        self.convert = convert or (lambda array: array)
        self.inputs = {name: self.convert(array) for name, array in self.inputs.items()}
        self.upload = widgets.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg",
                                         multiple=False, description="your image",
                                         tooltip="PNG or JPEG, at most 10 MB",
                                         layout=widgets.Layout(width="150px"))
        self.message = widgets.HTML()
        self.box = widgets.HBox([self.menu, self.upload, self.message])
        self.upload.observe(self._uploaded, "value")

    def _uploaded(self, change):
        files = change["new"]
        if not files:
            return
        item = files[0]
        name = str(item.get("name", "upload"))
        content = bytes(item.get("content", b""))
        self.upload.value = ()        # the same file can be chosen again
        try:
            big, small = self.decode(content, name)
        except ValueError as problem:
            self.message.value = ('<span style="color:#b00020">⚠ ' + escape(str(problem))
                                  + " The current image is kept.</span>")
            return
        label = _short(name)
        for array in (big, small):
            self.inputs[f"{label} {array.shape[0]}×{array.shape[1]}"] = array
        self.menu.options = list(self.inputs)
        self.message.value = (f'<span style="color:#1b5e20">✔ {escape(name)}: '
                              f"{big.shape[0]}×{big.shape[1]}"
                              f"{' RGB' if big.ndim == 3 else ' gray'}</span>")
        self.menu.value = f"{label} {big.shape[0]}×{big.shape[1]}"

    def decode(self, content, name="upload"):
        """(working-size array, small square array) from the bytes of an image file."""
        if len(content) > UPLOAD_MAX_BYTES:
            raise ValueError(f"{name} is {len(content) / 2**20:.1f} MB; the limit is "
                             f"{UPLOAD_MAX_BYTES // 2**20} MB.")
        big = images.from_bytes(content, rgb=self.rgb, max_side=self.max_side)
        small = images.from_bytes(content, rgb=self.rgb, size=(self.small_side, self.small_side))
        return self.convert(big), self.convert(small)


def _short(name, length=18):
    stem = name.rsplit(".", 1)[0] or "upload"
    return stem if len(stem) <= length else stem[:length - 1] + "…"
