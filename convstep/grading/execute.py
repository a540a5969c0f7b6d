"""``SandboxedExecute``: nbgrader's Execute step, for submissions nobody has to trust.

nbgrader_config.py puts it in place of ``Execute``, so a plain ``nbgrader autograde`` uses it:

- the student's cells run in the student's kernel, in a sandbox (``convstep.sandbox``);
- the test cells run in the trusted checker, in this process (``convstep.grading.checker``), with
  the gradebook's code and in the source notebook's order (``convstep.grading.plan``): the student's
  kernel never sees them, and their verdict is written here; while the checker works, the sandbox
  is frozen, except while it answers a call;
- a kernel that dies or does not answer after an interrupt is restarted, the student's cells that
  had succeeded are run again, and grading goes on (``max_restarts`` times); a kernel that forges
  messages is not graded further;
- the whole notebook has a time budget (``notebook_timeout``) that bounds every cell, every replay
  and every call; past it, the remaining cells are not run, and a watchdog kills the kernel shortly
  after it, whatever the kernel is sending;
- output is capped as it arrives and widget state is not kept.

What happened goes to the notebook's grading record (``convstep.grading.record``).
"""

import json
import os
import time
from queue import Empty

import zmq
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from convstep import notebooks, sandbox
from convstep.grading import kernelside, plan
from convstep.grading.checker import CallTimeout, Checker, KernelLost, student_error
from convstep.grading.record import GradingRecord
from convstep.grading.watchdog import Watchdog
from convstep.sandbox.kernel import GradingKernelManager, KernelHostile, SandboxKernelManager
from convstep.sandbox.warm import WARM

MiB = 1024 * 1024
INSTALL = "__import__('convstep.grading.kernelside', fromlist=['install']).install()"


def gradebook_plan(resources):
    """What the checker runs for this notebook (``convstep.grading.plan``), from the gradebook."""
    info = (resources or {}).get("nbgrader")
    if not info:
        raise RuntimeError("SandboxedExecute grades notebooks for nbgrader autograde only: the gradebook "
                           "says which cells are tests, and without it none can run safely")
    source = (resources or {}).get("convstep", {}).get("source_notebook")
    return plan.from_gradebook(info["db_url"], info["notebook"], info["assignment"], source)


class SandboxedExecute(Execute):

    sandbox = Bool(True, config=True, help=(
        "Run every kernel in the sandbox. False grades student code with your own rights: it can read "
        "the solutions and the gradebook, use the network, and damage your files."))
    max_output_bytes = Integer(1 * MiB, config=True, help="Output kept per cell; the rest is dropped as it arrives.")
    max_restarts = Integer(3, config=True, help="Kernel restarts per notebook after a crash or a stuck kernel.")
    responsive_timeout = Integer(10, config=True, help="Seconds a kernel has to answer after an interrupt.")
    notebook_timeout = Integer(120, config=True, help=(
        "Seconds one notebook may take in all: cells, calls from its tests and replays after a restart."))
    max_grader_memory = Integer(1024 * MiB, config=True, help=(
        "Bytes the grader's own memory may grow while one notebook is graded (what the kernel sent and the "
        "grader has not read yet counts); past it, the kernel is killed."))
    prestart = Bool(True, config=True, help="Start the next notebook's sandboxed kernel while this one is graded.")
    skip_instructor_cells = Bool(True, config=True, help=(
        "Do not run cells nbgrader does not grade that are exactly as the instructor wrote them (examples, "
        "figures, explorers): no test depends on them."))

    def preprocess(self, nb, resources=None, km=None):
        if self.sandbox:
            sandbox.require()
        else:
            self.log.warning("GRADING WITHOUT A SANDBOX: student code runs with your rights")
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        if km is None:
            self.kernel_manager_class = SandboxKernelManager if self.sandbox else GradingKernelManager
        self.plan = gradebook_plan(self.resources)
        intake = (self.resources or {}).get("convstep", {})
        self.record = GradingRecord(ignored=intake.get("ignored", []))
        self.started = time.monotonic()
        self.deadline = self.started + self.notebook_timeout
        self.timeout_func = self.time_left
        self.shutdown_kernel = "immediate"  # nothing in a sandbox needs a polite goodbye, and it may not answer
        self._output_bytes = {}
        self.watchdog = Watchdog(self.notebook_timeout + self.responsive_timeout, self.max_grader_memory,
                                 lambda: self.km and self.km.kill_now())
        self.watchdog.start()
        try:
            self._run_all()
        finally:
            self.watchdog.stop()
        self.record.seconds = round(time.monotonic() - self.started, 3)
        folder = (self.resources or {}).get("metadata", {}).get("path")
        if folder and os.path.isdir(folder):
            self.record.save(folder)
        return self.nb, self.resources

    def create_kernel_manager(self):
        if not self.sandbox:
            return super().create_kernel_manager()
        name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        data_dir = (self.resources or {}).get("convstep", {}).get("data_dir", "")
        make = lambda: SandboxKernelManager(kernel_name=name, config=self.config, data_dir=data_dir)
        arguments = [*self.extra_arguments, f"--HistoryManager.hist_file={self.ipython_hist_file}"]
        if self.prestart:
            key = (name, data_dir, repr(self.config.get("SandboxKernelManager")), tuple(arguments))
            self.km = WARM.take(key, make, arguments)
        else:
            self.km = make()
        return self.km

    def time_left(self, cell=None):
        """Seconds the next cell or call may take: the cell timeout, within the notebook's budget."""
        left = self.deadline - time.monotonic()
        return max(1, int(min(left, self.timeout) if self.timeout else left))

    # ------------------------------------------------------------ the notebook

    def _instructor_code(self):
        """The code of the source notebook's cells that nbgrader does not grade or lock."""
        path = (self.resources or {}).get("convstep", {}).get("source_notebook")
        if not (self.skip_instructor_cells and path and os.path.isfile(path)):
            return set()
        return {c.source for c in notebooks.read(path).cells if c.cell_type == "code" and "nbgrader" not in c.metadata}

    def _run_all(self):
        skipped = self._instructor_code()
        tests = self.plan.tests
        cells = [i for i, c in enumerate(self.nb.cells) if c.cell_type == "code" and (
            notebooks.grade_id(c) in tests or c.source.strip() and not ("nbgrader" not in c.metadata and c.source in skipped))]
        labels = [notebooks.grade_id(self.nb.cells[i]) for i in cells]
        self._where = {label: index for label, index in zip(labels, cells) if label in tests}
        work = [(kind, cells[what] if kind == "cell" else what) for kind, what in plan.schedule(self.plan, labels)]
        self._note_reordering(labels)
        checker = Checker(KernelStudent(self), self.plan.answers, self.max_output_bytes)
        succeeded, position = [], 0
        while position < len(work):
            with self.setup_kernel():
                km, self._counts = self.km, {}
                self._start(succeeded)
                try:
                    for position in range(position, len(work)):
                        if self.deadline <= time.monotonic():
                            self._not_run(work[position:], "budget",
                                          f"the notebook's time limit of {self.notebook_timeout} s was used up")
                            break
                        kind, what = work[position]
                        km.freeze(kind == "check")  # the checker works alone; calls thaw the kernel
                        if kind == "cell" and self._run_student_cell(what):
                            succeeded.append(what)
                        elif kind == "check":
                            self._run_check(checker, what)
                    position = len(work)
                except KernelHostile as hostile:
                    self._report_death(self._target(work, position), hostile)
                    self._not_run(work[position + 1:], "not_run", "the kernel forged messages")
                    position = len(work)
                except (DeadKernelError, KernelLost, CellTimeoutError, zmq.ZMQError) as death:
                    self.record.restarts += 1
                    self._report_death(self._target(work, position), death)
                    position += 1
                    # once the watchdog has killed a kernel, no other starts: the watch is over
                    if self.watchdog.reason or self.record.restarts > self.max_restarts \
                            or self.deadline <= time.monotonic():
                        why = ("the kernel flooded the grader" if self.watchdog.reason == "memory" else
                               "the kernel died too often" if self.record.restarts > self.max_restarts else
                               f"the notebook's time limit of {self.notebook_timeout} s was used up")
                        self._not_run(work[position:], "not_run", why)
                        position = len(work)
                finally:
                    km.freeze(False)
                    self._collect_audit(km)
            if km.peak_memory:
                self.record.peak_memory = max(self.record.peak_memory or 0, km.peak_memory)

    def _note_reordering(self, labels):
        """Test cells the submission moved or relabelled run in the source's order anyway; that they
        were moved is a finding of the integrity report."""
        order = [step.name for step in self.plan.steps if step.test]
        submitted = [label for label in labels if label in self._where]
        expected = [label for label in order if label in self._where]
        moved = next((s for s, e in zip(submitted, expected) if s != e), None)
        if moved is not None:
            self.record.events.append({"event": "test cells out of the source's order", "category": "tampering",
                                       "detail": f"{moved} where {expected[submitted.index(moved)]} belongs",
                                       "cell": self._where[moved], "line": None})

    def _target(self, work, position):
        """The cell whose outputs tell what happened at ``work[position]`` (a check of provided
        code has none of its own: the next test's cell)."""
        for kind, what in work[position:]:
            index = what if kind == "cell" else self._where.get(what.name) if what.test else None
            if index is not None:
                return index
        return None

    def _start(self, replay):
        """A new kernel: answering the checker's calls, its folder sealed, then the student's cells
        that had succeeded run again."""
        self.wait_for_reply(self.kc.kernel_info())
        self.wait_for_reply(self.kc.execute("", silent=True, store_history=False, user_expressions={"ok": INSTALL}))
        self.km.seal()
        for index in replay:
            if self.deadline <= time.monotonic():
                break
            msg_id = self.kc.execute(self.nb.cells[index].source, silent=True, store_history=False)
            self.wait_for_reply(msg_id, self.nb.cells[index])

    def _run_student_cell(self, index):
        """Run one of the student's cells in the kernel; True if it succeeded."""
        cell = self.nb.cells[index]
        self.preprocess_cell(cell, self.resources, index)
        if cell.get("execution_count"):
            self._counts[cell.execution_count] = index
        return not any(o.output_type == "error" for o in cell.outputs)

    def _run_check(self, checker, step):
        """Run one of the checker's cells. A test's outputs go to the cell with its id, whatever the
        notebook holds there: no code of the student's ever runs in the checker, and no test's code
        ever reaches the student's kernel. Provided code only defines what later tests use."""
        if not step.test:
            outputs = checker.run(step.code, step.name, timeout=self.timeout, deadline=self.deadline)
            for output in outputs:
                if output["output_type"] == "error":
                    self.log.warning("the course's cell %s failed in the checker: %s", step.name, output["evalue"])
            return
        index = self._where[step.name]
        cell = self.nb.cells[index]
        try:
            outputs = checker.run(step.code, step.name, timeout=self.timeout, deadline=self.deadline)
        except (KernelLost, KernelHostile) as lost:
            cell.outputs = [from_dict(o) for o in getattr(lost, "outputs", [])]
            cell.execution_count = None
            raise
        cell.outputs = [from_dict(o) for o in outputs]
        cell.execution_count = None  # the count belongs to the student's kernel, where this did not run
        if checker.timed_out:
            self.record.note(index, "timeout")

    def _not_run(self, work, kind, why):
        indices = [i for i in (self._target([item], 0) for item in work) if i is not None]
        for index in indices:
            self.nb.cells[index].outputs = [NotebookNode(output_type="error", ename="NotRun", evalue=why,
                                                         traceback=[f"NotRun: {why}; this cell was not run."])]
        if indices:
            self.record.note(indices[0], kind, why)

    def _report_death(self, index, death):
        if isinstance(death, KernelHostile):
            kind, what = "hostile", f"{death}: the kernel's code forges messages"
            self.record.events.append({"event": "forged message", "category": "tampering", "detail": str(death),
                                       "cell": index, "line": None})
        elif self.watchdog.reason == "budget":
            kind, what = "budget", f"the notebook's time limit of {self.notebook_timeout} s was used up and the kernel was killed"
        elif self.watchdog.reason == "memory":
            kind, what = "flood", (f"the kernel sent more than {self.max_grader_memory // MiB} MB the grader had not read "
                                   "yet, and was killed")
        elif isinstance(death, DeadKernelError) or getattr(death, "died", False):
            kind, what = "died", "the kernel died (os._exit, a crash, or a limit of the sandbox)"
        else:
            kind, what = "hung", "the kernel stopped answering after the time limit"
        then = ("the following cells run in a new kernel, after the cells that had succeeded are run again"
                if kind in ("died", "hung") and self.record.restarts <= self.max_restarts
                else "grading of this notebook stops here")
        if index is not None:
            self.nb.cells[index].outputs.append(NotebookNode(output_type="error", ename="KernelDied", evalue=what,
                                                             traceback=[f"KernelDied: while running this cell, {what}; {then}."]))
        self.record.note(index if index is not None else -1, kind, what)

    def _collect_audit(self, km):
        for record in km.audit_records():
            record["cell"] = self._counts.get(record.get("cell"))
            self.record.events.append(record)

    # ------------------------------------------------------------ nbclient hooks

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_bytes`` of a cell's output; note the flood once."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"\n[grader: output beyond {self.max_output_bytes // 1024} kB dropped]\n")))
                self.record.note(cell_index, "flood")
            return None
        return super().output(outs, msg, display_id, cell_index)

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widgets are not graded: their messages are dropped, so no widget state piles up."""

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        try:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        except (KernelLost, KernelHostile):  # not Exceptions: nbclient would leave its pollers running
            task_poll_output_msg.cancel()
            task_poll_kernel_alive.cancel()
            raise

    async def _async_handle_timeout(self, timeout, cell=None):
        index = next((i for i, c in enumerate(self.nb.cells) if c is cell), None)
        if index is not None:
            self.record.note(index, "timeout")
        reply = await super()._async_handle_timeout(timeout, cell)
        # The interrupt was sent; a kernel that ignores it (SIGINT handler, C loop) is restarted.
        if not await KernelStudent(self).answers():
            raise KernelLost(f"the kernel did not answer within {self.responsive_timeout} s of the interrupt")
        return reply


class KernelStudent:
    """The checker's way into the student's kernel: a request on the kernel's shell channel, its
    arguments as message buffers (``convstep.grading.kernelside``). The sandbox runs only while it
    answers."""

    def __init__(self, client):
        self.client = client

    def request(self, text, buffers, timeout):
        return run_sync(self._request)(text, buffers, timeout)

    async def _request(self, text, buffers, timeout):
        kc, km = self.client.kc, self.client.km
        msg = kc.session.msg(kernelside.REQUEST, {"request": text})
        msg["buffers"] = buffers
        km.freeze(False)
        try:
            try:
                kc.shell_channel.send(msg)
            except zmq.ZMQError as error:
                raise KernelLost(f"the kernel's sockets no longer take messages ({error})") from None
            reply = await self._reply(msg["header"]["msg_id"], timeout)
            if reply is None:  # past the deadline: interrupt, and give it a moment to answer
                try:
                    await ensure_async(km.interrupt_kernel())
                except zmq.ZMQError:
                    raise KernelLost("the kernel no longer takes an interrupt") from None
                if await self._reply(msg["header"]["msg_id"], self.client.responsive_timeout) is None:
                    raise KernelLost("the kernel stopped answering after the time limit")
                raise CallTimeout(f"the call did not finish within the time limit of the test ({int(timeout)} s)")
        finally:
            km.freeze()
        if reply["header"].get("msg_type") != kernelside.REPLY:  # the request itself failed there: the student broke it
            raise student_error("RuntimeError", "the kernel did not answer the grader's call (was the grading code in it changed?)")
        return reply["content"].get("answer"), reply.get("buffers", [])

    async def _reply(self, msg_id, timeout, drain=True):
        """The shell reply to ``msg_id``, or None after ``timeout`` seconds; KernelLost if it dies.

        With ``drain``, output the call produces (on IOPub) is read and dropped as it comes, until
        the deadline: a kernel that never stops talking does not hold the grader."""
        kc, km = self.client.kc, self.client.km
        deadline = time.monotonic() + (timeout if timeout is not None else self.client.time_left())
        while True:
            while drain and time.monotonic() < deadline and await kc.iopub_channel.msg_ready():
                await kc.iopub_channel.get_msg(timeout=0)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = await kc.shell_channel.get_msg(timeout=min(left, 0.5))
            except Empty:
                if not await ensure_async(km.is_alive()):
                    raise KernelLost("the kernel died", died=True) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def answers(self):
        """Whether the kernel answers a kernel_info request within the responsive timeout (its
        output stays for nbclient, which is still reading the interrupted cell's)."""
        try:
            msg_id = self.client.kc.kernel_info()
            return await self._reply(msg_id, self.client.responsive_timeout, drain=False) is not None
        except (KernelLost, zmq.ZMQError):
            return False
