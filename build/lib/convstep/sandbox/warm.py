"""One sandboxed kernel started ahead: while a notebook is graded, the next one's kernel boots.

A kernel takes about a second to start and import what every notebook imports; started early, on
the core the current notebook does not use, that second is gone from each notebook but the first.
The kernel is fresh (no student code ever ran in it) and belongs to the next notebook alone.
"""

import atexit

from jupyter_core.utils import run_sync


class WarmKernel:
    def __init__(self):
        self.key = self.km = None

    def take(self, key, make, arguments):
        """A started kernel manager for ``key`` (the one warmed for it, else a new one), and the
        next one warming. ``make()`` returns an unstarted kernel manager; ``arguments`` are its
        kernel's extra arguments."""
        if self.key == key and self.km is not None:
            km = self.km
        else:
            self.discard()
            km = self._start(make, arguments)
        self.key, self.km = key, self._start(make, arguments)
        return km

    @staticmethod
    def _start(make, arguments):
        km = make()
        run_sync(km.start_kernel)(extra_arguments=arguments)
        return km

    def discard(self):
        if self.km is not None:
            km, self.km, self.key = self.km, None, None
            run_sync(km.shutdown_kernel)(now=True)


WARM = WarmKernel()
atexit.register(WARM.discard)  # the last one warmed was not needed
