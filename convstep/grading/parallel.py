"""Grading a class in parallel: one task per submission, on a Dask cluster.

Each task grades one student's submission of one assignment with the same converter and the same
sandbox as ``nbgrader autograde`` (``SafeAutograde`` in a worker process), so the scores are the
ones a serial run gives. Without a scheduler address the tasks run on a ``LocalCluster`` of this
machine; with one (``tcp://host:8786``), on whatever workers that scheduler has. A worker needs
this package and bubblewrap, the course directory at the same path (a shared file system) and
the gradebook's URL (PostgreSQL for more than one machine).

A submission is graded when nbgrader has written its graded notebook and a score for every test
cell into the gradebook in use; only then its state file goes beside the graded notebook
(``convstep.grading.state``). A rerun (after Ctrl-C, a lost worker, a changed submission, a changed
assignment, another gradebook) grades exactly the submissions that are not up to date, and says so.
"""

import contextlib
import fnmatch
import functools
import json
import logging
import os
import shutil
import signal
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbconvert.writers import FilesWriter
from nbgrader.api import Gradebook
from nbgrader.converters import GenerateFeedback

from convstep.grading import state

log = logging.getLogger("convstep")
SANDBOX_BYTES = 3 * 1024 ** 3  # the default memory of one sandbox (SandboxKernelManager.memory)
GRADED, SKIPPED, FAILED = "graded", "skipped", "failed"


@dataclass
class Outcome:
    """What became of one submission: GRADED now, SKIPPED (already graded in its current form, in
    this gradebook) or FAILED (``error`` says why: nbgrader's own error), and how long it took."""

    assignment: str
    student: str
    status: str
    error: str = ""
    seconds: float = 0.0


def default_workers(sandbox_bytes=SANDBOX_BYTES):
    """As many workers as there are cores, but no more than the memory holds sandboxes."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = sandbox_bytes
    return max(1, min(os.cpu_count() or 1, memory // int(sandbox_bytes * 1.2)))


class ErrorLines(logging.Handler):
    """Keeps what nbgrader logs as errors, to say why a submission was not graded (its whole
    traceback goes into the submission's state file, not to the terminal)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def cause(self):
        """The exception line of the first traceback nbgrader logged (its own summary says only
        "see the traceback above")."""
        for message in self.lines:
            if message.startswith("Traceback"):
                return message.strip().splitlines()[-1][:300]
        return self.lines[0][:300] if self.lines else ""

    def text(self, limit=20000):
        return "\n".join(self.lines)[-limit:]


class KeptFeedback(GenerateFeedback):
    """nbgrader's GenerateFeedback, started once per submission in a worker: nbgrader builds a new
    HTMLExporter on every start(), which compiles the feedback templates again; this keeps the first."""

    _kept = None

    def start(self):
        if self._kept is None:
            super().start()
            self._kept = self.exporter
            return
        self.init_notebooks()
        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self._kept
        with contextlib.chdir(self.coursedir.root):
            self.convert_notebooks()


class Grader:
    """What a worker keeps from one task to the next: the course's configuration with the overrides
    laid over it, and nbgrader's two converters (setting them up costs a tenth of a notebook)."""

    def __init__(self, root, overrides):
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        from convstep.course import bin_on_path
        from convstep.grading.autograde import SafeAutograde

        # nbgrader's own session handling makes SQLAlchemy warn on every save; they say nothing of the grades.
        warnings.filterwarnings("ignore", module="nbgrader.api")
        bin_on_path()
        self.root = root
        config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
        config.merge(Config(overrides))
        self.coursedir = CourseDirectory(config=config)
        self.steps = [step(coursedir=self.coursedir, config=config) for step in (SafeAutograde, KeptFeedback)]
        # nbgrader's log goes to the task's ErrorLines only: the terminal gets one line per failure.
        quiet = logging.getLogger("convstep.nbgrader")
        quiet.propagate = False
        for step in self.steps:
            step.force = True
            step.log = quiet
        # nbgrader's gradebook logs its database errors through tornado's logger: they go there too.
        self.errors = None
        logging.getLogger("tornado.application").addFilter(self.keep_gradebook_errors)

    def keep_gradebook_errors(self, record):
        if not record.pathname.endswith(os.path.join("nbgrader", "api.py")):
            return True
        if self.errors is not None:
            self.errors.emit(record)
        return False

    def grade(self, assignment, student):
        """``nbgrader autograde ASSIGNMENT --student STUDENT --force``, then ``nbgrader
        generate_feedback`` for it; returns ("", "") if nbgrader went through, else why it failed
        (nbgrader's error) and what nbgrader logged as errors."""
        os.chdir(self.root)  # nbgrader's converters work relative to the course directory
        self.coursedir.assignment_id, self.coursedir.student_id = assignment, student
        errors = self.errors = ErrorLines()
        try:
            for step in self.steps:
                step.log.addHandler(errors)
                try:
                    step.start()
                except Exception as error:  # nbgrader gave up on this submission; the others go on
                    return errors.cause() or f"{type(error).__name__}: {error}", errors.text()
                finally:
                    step.log.removeHandler(errors)
        finally:
            self.errors = None
        return "", ""


@functools.lru_cache(maxsize=4)
def _grader(root, overrides, config_version):
    return Grader(root, json.loads(overrides))


def grader(root, overrides):
    """This process's Grader for a course and overrides; a new one when nbgrader_config.py changed
    (a worker of a standing cluster outlives many runs)."""
    config = os.stat(os.path.join(root, "nbgrader_config.py"))
    return _grader(root, json.dumps(overrides, sort_keys=True), (config.st_mtime_ns, config.st_size))


def grade_submission(root, assignment, student, digest, overrides):
    """The task: grade one submission and write its feedback with this worker's Grader, then its
    state file. ``overrides`` is a {Class: {trait: value}} dict laid over the course's
    nbgrader_config.py. Runs in a worker; returns an Outcome, whatever happens to the submission.
    """
    start = time.monotonic()
    # A feedback page never outlives the grades it shows: it is written again, or not at all.
    shutil.rmtree(Path(root) / "feedback" / student / assignment, ignore_errors=True)
    worker = grader(root, overrides)
    error, details = worker.grade(assignment, student)
    if not error and not (Path(root) / "autograded" / student / assignment / f"{assignment}.ipynb").exists():
        error = "nbgrader wrote no graded notebook"
    if not error:
        with Gradebook(worker.coursedir.db_url, worker.coursedir.course_id) as gb:
            record = state.records(gb, assignment, student).get(student)
            version = state.version(gb, assignment)
        if record is None:
            error = "the gradebook holds no score for some of its test cells"
    if error:
        state.write(root, assignment, student, submission=digest, error=error, log=details)
        return Outcome(assignment, student, FAILED, error, time.monotonic() - start)
    state.write(root, assignment, student, submission=digest, version=version, record=record)
    return Outcome(assignment, student, GRADED, "", time.monotonic() - start)


def discard_warm_kernel():
    """Run on each worker at the end: the kernel it started ahead for a next notebook is not needed
    (stopped now, the worker process exits at once when the cluster closes)."""
    from convstep.sandbox.warm import WARM

    WARM.discard()


@contextlib.contextmanager
def cluster(workers, scheduler):
    """A Dask client: to the scheduler at ``scheduler``, or to a new LocalCluster of ``workers``
    single-threaded worker processes (grading is one notebook per process at a time). Closed
    quietly: stopping a cluster on purpose (at the end, or on Ctrl-C) is not news."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)  # its start is not news
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            # A terminal's Ctrl-C goes to the whole process group: the worker processes ignore it (they
            # inherit SIG_IGN), and this process stops them in order.
            main = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
            try:
                local = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0,
                    dashboard_address=":0", silence_logs=logging.ERROR))
            finally:
                if main:
                    signal.signal(signal.SIGINT, previous)
            client = stack.enter_context(Client(local))
        stack.callback(logging.getLogger("distributed").setLevel, logging.CRITICAL)
        yield client
        if not scheduler:
            client.run(discard_warm_kernel)


def plan(course, assignments, students=None, force=False):
    """(Outcomes of the submissions that need no grading, [(assignment, student, digest)] to grade):
    the submissions of ``assignments`` by the students matching the ``students`` patterns (nbgrader's
    --student: ids or shell-style patterns; all by default). Up to date ones are skipped unless
    ``force``; a folder without a notebook nbgrader could grade fails, with the reason."""
    patterns = students or ["*"]
    outcomes, todo = [], []
    with course.gradebook() as gb:
        for assignment in assignments:
            version, records = state.version(gb, assignment), state.records(gb, assignment)
            for student in course.submitters():
                if not (course.submitted / student / assignment).is_dir() or \
                        not any(fnmatch.fnmatchcase(student, p) for p in patterns):
                    continue
                digest, why = state.fingerprint(course, assignment, student)
                if digest is None:
                    outcomes.append(Outcome(assignment, student, FAILED, why))
                elif not force and state.up_to_date(state.read(course.root, assignment, student), digest,
                                                    version, records, student):
                    outcomes.append(Outcome(assignment, student, SKIPPED))
                else:
                    todo.append((assignment, student, digest))
    return outcomes, todo


def grade_class(course, assignments, workers=None, scheduler=None, overrides=None, progress=True,
                students=None, force=False):
    """Grade every submission of ``assignments`` (by ``students``, see ``plan``) that is not graded
    yet in its current form in the gradebook in use (every one with ``force``); returns an Outcome
    for each submission considered."""
    from distributed import as_completed
    from tqdm import tqdm

    outcomes, todo = plan(course, assignments, students, force)
    if not todo:
        return outcomes
    with cluster(workers or default_workers(), scheduler) as client:
        futures = {client.submit(grade_submission, str(course.root), assignment, student, digest, overrides or {},
                                 key=f"grade-{assignment}-{student}-{digest}", pure=False, retries=0):
                   (assignment, student, digest) for assignment, student, digest in todo}
        bar = tqdm(total=len(futures), unit="notebook", disable=not progress, smoothing=0.1)
        try:
            for future in as_completed(futures):
                assignment, student, digest = futures[future]
                try:
                    outcome = future.result()
                except Exception as error:  # its worker was lost: it may still have finished
                    facts = state.read(course.root, assignment, student)
                    done = facts.get("submission") == digest and "record" in facts
                    outcome = Outcome(assignment, student, GRADED if done else FAILED,
                                      "" if done else f"{type(error).__name__}: {error}")
                outcomes.append(outcome)
                bar.update()
        finally:
            bar.close()
            for future in futures:
                future.cancel()
    return outcomes
