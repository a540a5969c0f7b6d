"""Grading a class in parallel: one task per submission, on a Dask cluster.

Each task grades one student's submission of one assignment with the same converter and the same
sandbox as ``nbgrader autograde`` (``SafeAutograde`` in a worker process), so the scores are the
ones a serial run gives. Without a scheduler address the tasks run on a ``LocalCluster`` of this
machine; with one (``tcp://host:8786``), on whatever workers that scheduler has. A worker needs
this package and bubblewrap, the course directory at the same path (a shared file system) and
the gradebook's URL (PostgreSQL for more than one machine).

A task is done when nbgrader has written the graded notebook and the gradebook; only then a small
marker with the submission's hash goes beside the graded notebook. A rerun (after Ctrl-C, a lost
worker, a changed submission) grades exactly the submissions without a matching marker.
"""

import contextlib
import functools
import hashlib
import json
import logging
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbconvert.writers import FilesWriter
from nbgrader.converters import GenerateFeedback

from convstep.grading import intake

log = logging.getLogger("convstep")
DONE = ".convstep-done.json"
SANDBOX_BYTES = 3 * 1024 ** 3  # the default memory of one sandbox (SandboxKernelManager.memory)


@dataclass
class Outcome:
    """What one task reports: the submission, whether nbgrader graded it, why not, how long it took."""

    assignment: str
    student: str
    graded: bool
    error: str = ""
    seconds: float = 0.0


def default_workers(sandbox_bytes=SANDBOX_BYTES):
    """As many workers as there are cores, but no more than the memory holds sandboxes."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = sandbox_bytes
    return max(1, min(os.cpu_count() or 1, memory // int(sandbox_bytes * 1.2)))


def fingerprint(course, assignment, student):
    """A hash of what grading takes from the submission (its notebook and timestamp), or None if
    there is nothing to grade."""
    received = intake.inspect(course.submitted / student / assignment, [assignment])
    if f"{assignment}.ipynb" not in received.taken:
        return None
    digest = hashlib.sha256()
    for name in sorted(received.taken):
        digest.update(name.encode() + b"\0" + received.taken[name] + b"\0")
    return digest.hexdigest()


def marker(root, assignment, student):
    return Path(root) / "autograded" / student / assignment / DONE


def is_done(root, assignment, student, digest):
    try:
        return json.loads(marker(root, assignment, student).read_text()).get("submission") == digest
    except (OSError, ValueError):
        return False


def mark_done(root, assignment, student, digest):
    """Written last, atomically, by the task that graded the submission (a lost result does not
    lose the fact)."""
    path = marker(root, assignment, student)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"submission": digest}))
    os.replace(partial, path)


class ErrorLines(logging.Handler):
    """Keeps what nbgrader logs as errors, to say why a submission was not graded."""

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

        from convstep.grading.autograde import SafeAutograde

        # nbgrader's own session handling makes SQLAlchemy warn on every save; they say nothing of the grades.
        warnings.filterwarnings("ignore", module="nbgrader.api")
        bin_dir = os.path.dirname(sys.executable)  # nbgrader shells out to alembic, installed beside Python
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
        self.root = root
        config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
        config.merge(Config(overrides))
        self.coursedir = CourseDirectory(config=config)
        self.steps = [step(coursedir=self.coursedir, config=config) for step in (SafeAutograde, KeptFeedback)]
        for step in self.steps:
            step.force = True

    def grade(self, assignment, student):
        """``nbgrader autograde ASSIGNMENT --student STUDENT --force``, then ``nbgrader
        generate_feedback`` for it; returns why it failed, or "" if nbgrader went through."""
        os.chdir(self.root)  # nbgrader's converters work relative to the course directory
        self.coursedir.assignment_id, self.coursedir.student_id = assignment, student
        errors = ErrorLines()
        for step in self.steps:
            step.log.addHandler(errors)
            try:
                step.start()
            except Exception as error:  # nbgrader gave up on this submission; the others go on
                return errors.cause() or f"{type(error).__name__}: {error}"
            finally:
                step.log.removeHandler(errors)
        return ""


@functools.lru_cache(maxsize=4)
def _grader(root, overrides, config_version):
    return Grader(root, json.loads(overrides))


def grader(root, overrides):
    """This process's Grader for a course and overrides; a new one when nbgrader_config.py changed
    (a worker of a standing cluster outlives many runs)."""
    config = os.stat(os.path.join(root, "nbgrader_config.py"))
    return _grader(root, json.dumps(overrides, sort_keys=True), (config.st_mtime_ns, config.st_size))


def grade_submission(root, assignment, student, digest, overrides):
    """The task: grade one submission and write its feedback with this worker's Grader, then the
    done marker for ``digest``. ``overrides`` is a {Class: {trait: value}} dict laid over the
    course's nbgrader_config.py. Runs in a worker; returns an Outcome, whatever happens to the submission.
    """
    start = time.monotonic()
    error = grader(root, overrides).grade(assignment, student)
    graded = not error and (Path(root) / "autograded" / student / assignment / f"{assignment}.ipynb").exists()
    if graded:
        mark_done(root, assignment, student, digest)
    return Outcome(assignment, student, graded, error or ("" if graded else "nbgrader wrote no graded notebook"),
                   time.monotonic() - start)


def cluster(workers, scheduler):
    """A Dask client: to the scheduler at ``scheduler``, or to a new LocalCluster of ``workers``
    single-threaded worker processes (grading is one notebook per process at a time)."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)  # its start and stop are not news
    if scheduler:
        return Client(scheduler)
    local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0,
                         dashboard_address=":0", silence_logs=logging.ERROR)
    return Client(local)


def grade_class(course, assignments, workers=None, scheduler=None, overrides=None, progress=True):
    """Grade every submission of ``assignments`` not graded yet in its current form; returns the
    Outcomes of the tasks that ran (submissions already done are skipped)."""
    from distributed import as_completed
    from tqdm import tqdm

    todo, outcomes = [], []
    for assignment in assignments:
        for student in course.submitters():
            if not (course.submitted / student / assignment).is_dir():
                continue
            digest = fingerprint(course, assignment, student)
            if digest is None:
                outcomes.append(Outcome(assignment, student, False, "no notebook that can be graded"))
            elif not is_done(course.root, assignment, student, digest):
                todo.append((assignment, student, digest))
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
                    done = is_done(course.root, assignment, student, digest)
                    outcome = Outcome(assignment, student, done, "" if done else f"{type(error).__name__}: {error}")
                outcomes.append(outcome)
                bar.update()
        finally:
            bar.close()
            for future in futures:
                future.cancel()
    return outcomes
