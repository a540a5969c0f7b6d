"""Limits that hold whatever the kernel sends, watched from a thread of their own.

The grader's waits end on deadlines, but some waits are nbclient's, which end only on silence, and
bytes a kernel sends on a socket are held by ZeroMQ in the grader's memory before anyone reads them
(a message's parts count as one message against the socket's queue limit, whatever their number).
So a thread beside the grading watches two things and kills the sandbox when either runs out: the
notebook's time budget, and how much the grader's own memory grew while this notebook was graded.
"""

import os
import threading
import time

POLL = 0.02  # seconds between looks


def resident_bytes():
    """This process's resident memory, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Watchdog(threading.Thread):
    """Calls ``kill()`` once, with the reason ("budget" or "memory"), when ``seconds`` have passed or
    the grader holds ``memory`` bytes more than when it started; ``stop()`` ends the watch."""

    def __init__(self, seconds, memory, kill):
        super().__init__(daemon=True)
        self.deadline = time.monotonic() + seconds
        self.limit = resident_bytes() + memory
        self.kill = kill
        self.reason = None
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(POLL):
            if time.monotonic() >= self.deadline:
                self.reason = "budget"
            elif resident_bytes() > self.limit:
                self.reason = "memory"
            if self.reason:
                self.kill()
                return

    def stop(self):
        self.stopped.set()
