"""``SandboxedExecute``: nbgrader's Execute step, for submissions nobody has to trust.

nbgrader_config.py puts it in place of ``Execute``, so a plain ``nbgrader autograde`` uses it:

- the student's cells run in the student's kernel, in a sandbox (``convstep.sandbox``);
- the test cells run in the trusted checker, in this process (``convstep.grading.checker``): the
  student's kernel never sees them, and their verdict is written here;
- a kernel that dies or does not answer after an interrupt is restarted, the student's cells that
  had succeeded are run again, and grading goes on (``max_restarts`` times);
- the whole notebook has a time budget (``notebook_timeout``) that bounds every cell, every replay
  and every call; past it, the remaining cells are not run;
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
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from convstep import notebooks, sandbox
from convstep.grading.checker import CallTimeout, Checker, KernelLost, student_error
from convstep.grading.record import GradingRecord
from convstep.sandbox.kernel import GradingKernelManager, SandboxKernelManager
from convstep.sandbox.warm import WARM

MiB = 1024 * 1024
SERVE = "__import__('convstep.grading.kernelside', fromlist=['serve']).serve({!r})"


def gradebook_tests(resources):
    """{grade id: code} of the notebook's test cells, as the instructor wrote them (the gradebook
    holds the source notebook's cells)."""
    info = (resources or {}).get("nbgrader")
    if not info:
        raise RuntimeError("SandboxedExecute grades notebooks for nbgrader autograde only: the gradebook "
                           "says which cells are tests, and without it none can run safely")
    with Gradebook(info["db_url"]) as gb:  # as nbgrader's OverwriteCells opens it
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        answers = {cell.name for cell in notebook.solution_cells}
        sources = {cell.name: cell.source for cell in notebook.source_cells}
        return {cell.name: sources[cell.name] for cell in notebook.grade_cells
                if cell.cell_type == "code" and cell.name not in answers}


class SandboxedExecute(Execute):

    sandbox = Bool(True, config=True, help=(
        "Run every kernel in the sandbox. False grades student code with your own rights: it can read "
        "the solutions and the gradebook, use the network, and damage your files."))
    max_output_bytes = Integer(1 * MiB, config=True, help="Output kept per cell; the rest is dropped as it arrives.")
    max_restarts = Integer(3, config=True, help="Kernel restarts per notebook after a crash or a stuck kernel.")
    responsive_timeout = Integer(10, config=True, help="Seconds a kernel has to answer after an interrupt.")
    notebook_timeout = Integer(120, config=True, help=(
        "Seconds one notebook may take in all: cells, calls from its tests and replays after a restart."))
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
        self.tests = gradebook_tests(self.resources)
        intake = (self.resources or {}).get("convstep", {})
        self.record = GradingRecord(ignored=intake.get("ignored", []))
        self.started = time.monotonic()
        self.deadline = self.started + self.notebook_timeout
        self.timeout_func = self.time_left
        self.shutdown_kernel = "immediate"  # nothing in a sandbox needs a polite goodbye, and it may not answer
        self._output_bytes = {}
        self._run_all()
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
        cells = [i for i, c in enumerate(self.nb.cells) if c.cell_type == "code" and c.source.strip()
                 and not ("nbgrader" not in c.metadata and c.source in skipped)]
        checker = Checker(KernelStudent(self))
        succeeded, position = [], 0
        while position < len(cells):
            with self.setup_kernel():
                km, self._counts = self.km, {}
                self._start(succeeded)
                try:
                    for position in range(position, len(cells)):
                        if self.deadline <= time.monotonic():
                            self._not_run(cells[position:], "budget",
                                          f"the notebook's time limit of {self.notebook_timeout} s was used up")
                            break
                        if self._run_cell(checker, cells[position]):
                            succeeded.append(cells[position])
                    position = len(cells)
                except (DeadKernelError, KernelLost, CellTimeoutError, zmq.ZMQError) as death:
                    self.record.restarts += 1
                    self._report_death(cells[position], death)
                    position += 1
                    if self.record.restarts > self.max_restarts:
                        self._not_run(cells[position:], "not_run", "the kernel died too often")
                        position = len(cells)
                finally:
                    self._collect_audit(km)
            if km.peak_memory:
                self.record.peak_memory = max(self.record.peak_memory or 0, km.peak_memory)

    def _start(self, replay):
        """A new kernel: seal its folder, then run again the student's cells that had succeeded."""
        self.wait_for_reply(self.kc.kernel_info())
        self.km.seal()
        for index in replay:
            if self.deadline <= time.monotonic():
                break
            msg_id = self.kc.execute(self.nb.cells[index].source, silent=True, store_history=False)
            self.wait_for_reply(msg_id, self.nb.cells[index])

    def _run_cell(self, checker, index):
        """Run one cell where it belongs; True if it is a student cell that succeeded.

        A cell is a test cell when its id is one of the gradebook's test cells, and then the
        gradebook's code is what runs, whatever the notebook holds: no code of the student's ever
        runs in the checker, and no test's code ever reaches the student's kernel."""
        cell = self.nb.cells[index]
        label = cell.metadata.get("nbgrader", {}).get("grade_id")
        if label not in self.tests:
            self.preprocess_cell(cell, self.resources, index)
            if cell.get("execution_count"):
                self._counts[cell.execution_count] = index
            return not any(o.output_type == "error" for o in cell.outputs)
        try:
            outputs = checker.run(self.tests[label], label, timeout=self.time_left(cell))
        except KernelLost as lost:
            cell.outputs = [from_dict(o) for o in getattr(lost, "outputs", [])]
            cell.execution_count = None
            raise
        cell.outputs = [from_dict(o) for o in outputs]
        cell.execution_count = None  # the count belongs to the student's kernel, where this did not run
        if checker.timed_out:
            self.record.note(index, "timeout")
        return False

    def _not_run(self, indices, kind, why):
        for index in indices:
            self.nb.cells[index].outputs = [NotebookNode(output_type="error", ename="NotRun", evalue=why,
                                                         traceback=[f"NotRun: {why}; this cell was not run."])]
        if indices:
            self.record.note(indices[0], kind, why)

    def _report_death(self, index, death):
        cell = self.nb.cells[index]
        if isinstance(death, DeadKernelError) or getattr(death, "died", False):
            kind, what = "died", "the kernel died (os._exit, a crash, or a limit of the sandbox)"
        else:
            kind, what = "hung", "the kernel stopped answering after the time limit"
        then = ("the following cells run in a new kernel, after the cells that had succeeded are run again"
                if self.record.restarts <= self.max_restarts else "grading of this notebook stops here")
        cell.outputs.append(NotebookNode(output_type="error", ename="KernelDied", evalue=what,
                                         traceback=[f"KernelDied: while running this cell, {what}; {then}."]))
        self.record.note(index, kind, what)

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
    """The checker's way into the student's kernel: requests through the kernel's own messaging."""

    def __init__(self, client):
        self.client = client

    def request(self, text, timeout):
        return run_sync(self._request)(text, timeout)

    async def _request(self, text, timeout):
        kc, km = self.client.kc, self.client.km
        try:
            msg_id = kc.execute("", silent=True, store_history=False, allow_stdin=False,
                                user_expressions={"answer": SERVE.format(text)})
        except zmq.ZMQError as error:
            raise KernelLost(f"the kernel's sockets no longer take messages ({error})") from None
        reply = await self._reply(msg_id, timeout)
        if reply is None:  # past the deadline: interrupt, and give it a moment to answer
            try:
                await ensure_async(km.interrupt_kernel())
            except zmq.ZMQError:
                raise KernelLost("the kernel no longer takes an interrupt") from None
            if await self._reply(msg_id, self.client.responsive_timeout) is None:
                raise KernelLost("the kernel stopped answering after the time limit")
            raise CallTimeout(f"the call did not finish within the time limit of the test ({int(timeout)} s)")
        answer = reply["content"].get("user_expressions", {}).get("answer", {})
        if answer.get("status") != "ok":  # the request itself failed there: the student broke it
            raise student_error(answer.get("ename", "Exception"), str(answer.get("evalue", ""))[:2000])
        return answer.get("data", {}).get("text/plain", "")

    async def _reply(self, msg_id, timeout, drain=True):
        """The shell reply to ``msg_id``, or None after ``timeout`` seconds; KernelLost if it dies.

        With ``drain``, output the call produces (on IOPub) is read and dropped as it comes."""
        kc, km = self.client.kc, self.client.km
        deadline = time.monotonic() + timeout
        while True:
            while drain and await kc.iopub_channel.msg_ready():
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
