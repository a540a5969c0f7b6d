"""Hostile submissions, graded by plain ``nbgrader autograde`` beside honest classmates.

Each file in ``hostile/`` is the code a determined student puts in the ``conv_forward`` solution cell
of 02_conv_forward (``# %% cell`` starts a new cell of their own after it), on top of an answer
that returns zeros; the order cases move or relabel test cells around stand-ins for the hidden
tests' helpers; the folder cases below tamper with the submission folder or the notebook itself.
One batch grades them all. For every one of them: the batch finishes; the honest students' grades
equal a clean run's, cell by cell; the attack earns no more than the zeros answer alone; nothing
outside its sandbox was changed or read; no hidden test reached a student; the grader's memory,
output and files stay bounded.

Each file in ``hostile_speed/`` answers 05_fast_layers' graded functions (``# %% <cell id>`` starts
the code of a solution cell; the others hold the solution) so as to pass its speed tests without
fast code. A second batch grades them beside the complete solution and the loop versions.
"""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from convstep import report
from convstep.grading.autograde import INTAKE_PREFIX
from convstep.notebooks import HIDDEN_MARKER, grade_id, is_solution, marked_lines
from convstep.samples import SAMPLE_STUDENTS, apply_edits, write_class
from convstep.grading.record import GradingRecord
from convstep.sandbox.kernel import MAX_AUDIT_RECORDS

ASSIGNMENT = "02_conv_forward"
CASES = Path(__file__).parent / "hostile"
SPEED_CASES = Path(__file__).parent / "hostile_speed"
TIMEOUT = 3                # seconds per cell in this batch, to keep the suite quick
MEMORY = 1024 ** 3         # bytes per sandbox in this batch
BUDGET = 15                # seconds per notebook in this batch
MARKER = uuid.uuid4().hex  # written by hostile code wherever it can: must appear nowhere it should not
SLEEPER = "987654"         # argument of the processes a submission tries to leave behind
GRADER_MEMORY = 256 * 1024 ** 2  # bytes the grader may grow by while grading one notebook of this batch
SETTINGS = {"SandboxedExecute.timeout": TIMEOUT, "SandboxedExecute.responsive_timeout": 1,
            "SandboxedExecute.notebook_timeout": BUDGET, "SandboxKernelManager.memory": MEMORY,
            "SandboxedExecute.max_grader_memory": GRADER_MEMORY}
# Graded again by plain nbgrader autograde, which must give the same scores.
PLAIN = ["frames_reference", "forged_replies", "mutates_inputs", "links", "flipped_test_cell", "catches_interrupt"]

# The answer every attack starts from: right shapes, all zeros.
ZEROS = '''def conv_single_step(a_slice_prev, W, b):
    return 0.0


def zeros_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H, n_W = (n_H_prev + 2 * pad - f) // stride + 1, (n_W_prev + 2 * pad - f) // stride + 1
    return np.zeros((m, n_H, n_W, n_C)), (A_prev, W, b, hparameters)
'''
HONEST = ["complete", "mistakes"]
BASELINE = "zeros"

# Stand-ins for helpers of the hidden tests (a reference the later tests compare with, a hint): wherever
# the test cells run, these must never be what a test uses.
STANDINS = '''def reference_conv(A_prev, W, b, stride, pad):
    return zeros_forward(A_prev, W, b, {"stride": stride, "pad": pad})[0]


def stride_hint(stride):
    return None


conv_forward = zeros_forward
'''

# What the score table must say about some of them (a phrase of the notes).
NOTES = {
    "catches_interrupt": "kernel hung", "ignores_sigint": "kernel hung", "exits": "kernel died",
    "segfault": "kernel died", "replayed_then_killed": "kernel died", "slow_cells": "notebook time limit",
    "slow_calls": "timed out in test_conv_forward", "print_flood": "output flood",
    "extra_files": "numpy.py", "links": "ignored:", "notebook_link": "symbolic link",
    "fifo_notebook": "not a regular file", "nbformat_too_new": "not a notebook",
    "corrupt": "not a notebook", "missing": "no notebook submitted", "huge_notebook": "larger than",
    "timestamp_link": "ignored: timestamp.txt", "student_link": "the folder is a symbolic link",
    "assignment_link": "the folder is a symbolic link", "forged_shell_flood": "kernel forged messages",
}  # iopub_costly_flood: a fast grader reads its flood and finishes; a slow one is cut off at the budget


def case_code(path, root, canary, port):
    code = path.read_text()
    for token, value in {"__ROOT__": str(root), "__CANARY__": str(canary), "__PORT__": str(port),
                         "__MARKER__": MARKER, "__SLEEPER__": SLEEPER, "__TIMEOUT__": str(TIMEOUT),
                         "__MEMORY__": str(MEMORY)}.items():
        code = code.replace(token, value)
    return code.split("# %% cell\n")


def student_notebook(course, cells):
    """The release notebook with conv_single_step and conv_forward answered by ``cells[0]`` (after
    the zeros answer), and the other cells added after conv_forward's."""
    nb = nbformat.read(course.notebook(course.release, ASSIGNMENT), as_version=4)
    for index, cell in enumerate(list(nb.cells)):
        if grade_id(cell) == "conv_single_step":
            cell.source = ""
        elif grade_id(cell) == "conv_forward":
            cell.source = ZEROS + "\n\n" + cells[0]
            for offset, code in enumerate(cells[1:], 1):
                nb.cells.insert(index + offset, nbformat.v4.new_code_cell(code))
    return nb


def solved_notebook(course, edits=None):
    known = course.solutions()
    nb = nbformat.read(course.notebook(course.release, ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = apply_edits(known[grade_id(cell)], (edits or {}).get(grade_id(cell), []), grade_id(cell))
    return nb


def write(course, student, nb):
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return folder


def schema(version):
    def mutate(nb):
        next(c for c in nb.cells if grade_id(c) == "conv_forward").metadata.nbgrader["schema_version"] = version
    return mutate


def folder_cases(course, root, canary):
    """{student: (function(folder) that prepares the submission, expected score)}: the submission
    folder and the notebook file are the attack; the code in the notebook is the full solution."""
    solved = lambda mutate=None: lambda folder: write_mutated(course, folder, mutate)

    def extra_files(folder):
        write_mutated(course, folder)
        (folder / "numpy.py").write_text(f"raise SystemExit('{MARKER}')\n")
        (folder / "sitecustomize.py").write_text(f"print('{MARKER}')\n")
        (folder / "convstep").mkdir()
        (folder / "convstep" / "__init__.py").write_text(f"print('{MARKER}')\n")
        with open(folder / "huge.bin", "wb") as handle:
            handle.truncate(20 * 1024 ** 3)  # sparse: 20 GB that take no room

    def links(folder):
        write_mutated(course, folder)
        (folder / "gradebook.db").symlink_to(root / "gradebook.db")
        (folder / "source").symlink_to(root / "source")
        (folder / "canary.txt").symlink_to(canary)
        (folder / "zero").symlink_to("/dev/zero")

    def notebook_link(folder):
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").symlink_to(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")

    def fifo_notebook(folder):
        folder.mkdir(parents=True)
        os.mkfifo(folder / f"{ASSIGNMENT}.ipynb")

    def huge_notebook(folder):
        nb = solved_notebook(course)
        nb.cells.append(nbformat.v4.new_markdown_cell("x" * 40_000_000))
        write_mutated(course, folder, nb=nb)

    def timestamp_link(folder):
        write_mutated(course, folder)
        (folder / "timestamp.txt").symlink_to("/dev/zero")

    def folder_link(name):
        def make(folder):
            if name == "student":
                folder.parent.symlink_to(root / "submitted" / "complete")
            else:
                folder.parent.mkdir(parents=True)
                folder.symlink_to(root / "submitted" / "complete" / ASSIGNMENT)
        return make

    def raw(text):
        def make(folder):
            folder.mkdir(parents=True)
            (folder / f"{ASSIGNMENT}.ipynb").write_text(text)
        return make

    def nbformat_version(major):
        def make(folder):
            nb = json.loads(nbformat.writes(solved_notebook(course)))
            nb["nbformat"], nb["nbformat_minor"] = major, 99
            raw(json.dumps(nb))(folder)
        return make

    def fake_test_cell(nb):
        # student code dressed as a test cell with an id the gradebook does not know: if it ever ran
        # in the grader instead of the sandbox, the file would appear
        nb.cells.append(nbformat.v4.new_code_cell(f"open('{root}/ran_in_the_grader', 'w').write('{MARKER}')",
                                                  metadata={"nbgrader": {"grade": True, "grade_id": "test_mine",
                                                                         "points": 50, "locked": True,
                                                                         "solution": False, "schema_version": 3}}))

    def flipped_test_cell(nb):
        # a real test cell's flags turned into a solution cell's, with the student's code in it
        cell = next(c for c in nb.cells if grade_id(c) == "test_conv_forward_visible")
        cell.metadata.nbgrader.update(solution=True, grade=False, locked=False)
        cell.source = "print('conv_forward: visible tests passed.')"

    def edited_tests(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = "print('all tests passed.')"

    def deleted_test(nb):
        nb.cells.remove(next(c for c in nb.cells if grade_id(c) == "test_conv_forward_visible"))

    def duplicated_test(nb):
        cell = next(c for c in nb.cells if grade_id(c) == "test_conv_forward_visible")
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        copy.id = f"{cell.id}-copy"
        nb.cells.insert(nb.cells.index(cell), copy)

    full, rejected = 13, None  # a rejected notebook is not graded: no score, and the reason in the table
    return {
        "extra_files": (extra_files, full), "links": (links, full), "timestamp_link": (timestamp_link, full),
        "notebook_link": (notebook_link, rejected), "fifo_notebook": (fifo_notebook, rejected),
        "huge_notebook": (huge_notebook, rejected), "student_link": (folder_link("student"), rejected),
        "assignment_link": (folder_link("assignment"), rejected), "schema_too_new": (solved(schema(99)), full),
        "schema_too_old": (solved(schema(1)), full), "nbformat_too_new": (nbformat_version(5), rejected),
        "corrupt": (raw("{ this is not JSON"), rejected),
        "missing": (lambda folder: (folder.mkdir(parents=True), (folder / "notes.txt").write_text("forgot")), rejected),
        "fake_test_cell": (solved(fake_test_cell), full), "flipped_test_cell": (solved(flipped_test_cell), full),
        "edited_tests": (solved(edited_tests), full), "deleted_test": (solved(deleted_test), full),
        "duplicated_test": (solved(duplicated_test), full),
    }


def order_cases(course):
    """{student: notebook}: the zeros answer and the stand-ins, with the test cells that use the hidden
    tests' helpers moved before the test that defines them, or only their labels swapped."""
    def moved():
        nb = student_notebook(course, [STANDINS])
        first = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "test_conv_forward_stride1")
        later = [c for c in nb.cells if grade_id(c) in ("test_conv_forward_stride2", "test_conv_forward_filters",
                                                        "test_conv_forward_contract")]
        for cell in later:
            nb.cells.remove(cell)
        nb.cells[first:first] = later
        return nb

    def swapped():
        nb = student_notebook(course, [STANDINS])
        one, two = (next(c for c in nb.cells if grade_id(c) == name)
                    for name in ("test_conv_forward_stride1", "test_conv_forward_contract"))
        one.metadata.nbgrader["grade_id"], two.metadata.nbgrader["grade_id"] = "test_conv_forward_contract", \
            "test_conv_forward_stride1"
        return nb

    return {"moves_tests": moved(), "swaps_test_labels": swapped()}


def write_mutated(course, folder, mutate=None, nb=None):
    nb = nb or solved_notebook(course)
    if mutate:
        mutate(nb)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def snapshot(paths):
    """{file: sha256} for every file under the given paths."""
    hashes = {}
    for top in paths:
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file() and not path.is_symlink():
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


class Listener:
    """A TCP server on localhost that records every connection it gets."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = []
        self.server.settimeout(0.5)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.received.append(connection.recv(1000))
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


class GraderMemory(threading.Thread):
    """Polls the peak resident memory (VmHWM, kB) of a grading process and of its descendants, but
    not of the sandboxes (a kernel may use its own memory limit): what the grader itself held."""

    def __init__(self, process):
        super().__init__(daemon=True)
        self.process, self.peak = process, 0

    def run(self):
        while self.process.poll() is None:
            for pid in self.graders():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    self.peak = max(self.peak, int(status.split("VmHWM:")[1].split()[0]))
                except (OSError, IndexError):
                    pass
            time.sleep(0.2)

    def graders(self):
        children = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                name, fields = stat.read_text().rsplit(")", 1)
                children.setdefault(int(fields.split()[1]), []).append((int(stat.parent.name), name))
            except (OSError, ValueError, IndexError):
                pass
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += [child for child, name in children.get(pid, []) if "(bwrap" not in name and "(sh" not in name]
        return found


def sleepers():
    """Processes left running by a submission (their command line holds SLEEPER)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if SLEEPER in open(f"/proc/{pid}/cmdline").read():
                found.append(pid)
        except OSError:
            pass
    return found


def nbgrader(course, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course.root, env=env,
                          capture_output=True)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("course")
    graded = course.copy_to(root)
    with open(root / "nbgrader_config.py", "a") as config:  # this batch's limits, for every way of grading it
        config.write("".join(f"\nc.{setting} = {value}" for setting, value in SETTINGS.items()) + "\n")
    graded.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    write(graded, "complete", solved_notebook(graded))
    write(graded, "mistakes", solved_notebook(graded, SAMPLE_STUDENTS["mistakes"]["edits"]))
    write(graded, BASELINE, student_notebook(graded, ["conv_forward = zeros_forward\n"]))
    clean_run = nbgrader(graded, "autograde", ASSIGNMENT, "--force")
    assert clean_run.returncode == 0, clean_run.stderr.decode()[-3000:]
    clean = {s: report.cell_scores(graded, s, ASSIGNMENT) for s in HONEST + [BASELINE]}

    canary = tmp_path_factory.mktemp("outside") / "canary.txt"
    canary.write_text("the grader's own file")
    listener = Listener()
    codes = {path.stem: case_code(path, root, canary, listener.port) for path in sorted(CASES.glob("*.py"))}
    for student, cells in codes.items():
        write(graded, student, student_notebook(graded, cells))
    for student, nb in order_cases(graded).items():
        write(graded, student, nb)
        codes[student] = [STANDINS]
    folders = folder_cases(graded, root, canary)
    for student, (prepare, _) in folders.items():
        prepare(graded.submitted / student / ASSIGNMENT)
    protected = [root / "source", root / "release", canary] + [root / "submitted" / s for s in HONEST]
    before = snapshot(protected)
    try:
        # The class in parallel (two workers), as `convstep autograde` grades it, with feedback...
        grading = subprocess.Popen([sys.executable, "-m", "convstep", "autograde", ASSIGNMENT, "--course",
                                    str(root), "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        memory = GraderMemory(grading)
        memory.start()
        stdout, stderr = grading.communicate()
        run = subprocess.CompletedProcess(grading.args, grading.returncode, stdout, stderr)
        # ... and some of it again by plain `nbgrader autograde`, one student at a time.
        plain = {student: nbgrader(graded, "autograde", ASSIGNMENT, "--force", f"--student={student}")
                 for student in PLAIN}
    finally:
        listener.close()
    students = HONEST + [BASELINE] + list(codes) + list(folders)
    return {"course": graded, "root": root, "clean": clean, "codes": codes, "folders": folders, "run": run,
            "plain": plain, "before": before, "after": snapshot(protected), "listener": listener,
            "students": students, "canary": canary,
            "grader_memory": memory.peak,
            "table": report.score_table(graded, students), "report": report.integrity_rows(graded, students)}


def score(batch, student):
    return report.scores(batch["course"], [student]).get((student, ASSIGNMENT), (None, None))[0]


def graded_notebook(batch, student):
    path = batch["course"].notebook(batch["course"].autograded / student, ASSIGNMENT)
    return nbformat.read(path, as_version=4) if path.exists() else None


def student_outputs(batch, student):
    """Everything the student's own cells printed or displayed in the graded notebook."""
    nb = graded_notebook(batch, student)
    if nb is None:
        return ""
    return json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"
                       and not c.metadata.get("nbgrader", {}).get("grade")])


def hidden_lines(course):
    """The code lines of the hidden tests of the assignment (long enough to be telling)."""
    nb = nbformat.read(course.notebook(course.source, ASSIGNMENT), as_version=4)
    return {line for cell in nb.cells for line in marked_lines(cell, HIDDEN_MARKER)
            if len(line) > 30}


def test_the_batch_finishes_and_honest_grades_equal_a_clean_run(batch):
    # the run says which submissions it could not grade, and exits 1 for them: exactly the rejected folders
    output = (batch["run"].stdout + batch["run"].stderr).decode(errors="replace")
    rejected = {student for student, (_, points) in batch["folders"].items() if points is None}
    named = {line.split("not graded: ", 1)[1].split("/", 1)[0] for line in output.splitlines()
             if line.startswith("not graded: ")}
    assert (batch["run"].returncode, named) == (1, rejected), output[-3000:]
    for student in HONEST + [BASELINE]:
        assert report.cell_scores(batch["course"], student, ASSIGNMENT) == batch["clean"][student], student
    assert score(batch, "complete") == 13 and score(batch, BASELINE) < 13
    assert "Traceback" not in output, output[output.find("Traceback") - 500:][:4000]  # nothing crashed


def test_plain_nbgrader_autograde_is_just_as_safe(batch):
    for student, run in batch["plain"].items():
        assert run.returncode == 0, (student, run.stderr.decode()[-2000:])
    scores = {student: score(batch, student) for student in PLAIN}
    assert scores["links"] == 13 and scores["flipped_test_cell"] == 13
    assert all(scores[s] <= score(batch, BASELINE) for s in PLAIN if s not in ("links", "flipped_test_cell")), scores


def test_no_attack_earns_more_than_its_zeros_answer(batch):
    baseline = score(batch, BASELINE)
    scores = {student: score(batch, student) for student in batch["codes"]}
    assert {s: v for s, v in scores.items() if v is None or v > baseline} == {}, (baseline, scores)


def test_folder_attacks_get_what_their_notebook_deserves(batch):
    expected = {student: points for student, (_, points) in batch["folders"].items()}
    assert {student: score(batch, student) for student in expected} == expected
    assert not (batch["root"] / "ran_in_the_grader").exists(), "student code ran in the grader's process"


def test_every_submission_gets_a_score_or_its_reason(batch):
    course = batch["course"]
    rejected = {student for student, (_, points) in batch["folders"].items() if points is None}
    assert rejected <= set(NOTES)
    for student in batch["students"]:
        notes = report.notes(course, student, ASSIGNMENT)
        assert (score(batch, student) is None) == (student in rejected), (student, notes)
        if student in NOTES:
            assert NOTES[student] in notes, (student, notes)


def test_nothing_outside_the_sandbox_changed_or_was_reached(batch):
    assert batch["after"] == batch["before"]
    assert batch["canary"].read_text() == "the grader's own file"
    assert MARKER.encode() not in (batch["root"] / "gradebook.db").read_bytes()
    assert batch["listener"].received == []
    assert sleepers() == [], "processes started by a submission outlived its notebook"


def test_no_secret_reached_a_student(batch):
    course = batch["course"]
    secrets = hidden_lines(course) | {"SQLite format", "BEGIN HIDDEN TESTS", "the grader's own file"}
    solution = 'Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])'
    for student in batch["students"]:
        produced = student_outputs(batch, student)
        leaked = [s for s in secrets | {solution} if s in produced]
        assert leaked == [], (student, leaked[:3])
    assert "02_conv_forward.ipynb FileNotFoundError" in student_outputs(batch, "reads_notebooks")


def test_feedback_shows_no_hidden_test_code(batch):
    course = batch["course"]
    pages = sorted((course.root / "feedback").rglob("*.html"))
    assert len(pages) >= len(HONEST) + len(batch["codes"])
    lines = hidden_lines(course)
    for page in pages:
        text = page.read_text()
        assert not [line for line in lines if line in text], page
    files = {p.name for p in (course.root / "feedback").rglob("*") if p.is_file()}
    assert files <= {f"{ASSIGNMENT}.html", "timestamp.txt"}, files  # nothing copied from a submission


def test_what_comes_out_of_a_sandbox_is_bounded(batch):
    for run in [batch["run"], *batch["plain"].values()]:
        assert MARKER.encode() not in run.stdout + run.stderr  # fd 2 and forged log lines never reach the grader
        assert len(run.stdout + run.stderr) < 20 * 1024 * 1024
    assert 0 < batch["grader_memory"] < 1024 * 1024  # kB: no grading process ever held a flood in memory
    for student in batch["students"]:
        folder = batch["course"].autograded / student / ASSIGNMENT
        for path in folder.glob("*") if folder.exists() else []:
            assert path.stat().st_size < 3 * 1024 * 1024, path
    pages = (batch["course"].root / "feedback").rglob("*.html")
    assert max(page.stat().st_size for page in pages) < 3 * 1024 * 1024
    flooded = GradingRecord.load(batch["course"].autograded / "audit_newlines" / ASSIGNMENT)
    assert 0 < len(flooded.events) <= MAX_AUDIT_RECORDS + 1  # a record per line, capped in count
    record = GradingRecord.load(batch["course"].autograded / "memfd" / ASSIGNMENT)
    assert record.peak_memory <= MEMORY * 1.02, record.peak_memory  # memfds count: the cgroup held
    assert "stopped after" in student_outputs(batch, "memfd") or record.notes


def test_limits_hold_by_construction(batch):
    assert "refused:" in student_outputs(batch, "memory_bomb")
    shm = student_outputs(batch, "shm_and_tmp")
    assert shm.count("OSError") == 3 and "allocated" not in shm
    assert "stopped after" in student_outputs(batch, "process_storm")
    assert "OSError [Errno 27] File too large" in student_outputs(batch, "big_files")  # RLIMIT_FSIZE, before the tmpfs fills
    record = GradingRecord.load(batch["course"].autograded / "slow_cells" / ASSIGNMENT)
    assert record.seconds < BUDGET + 3 * TIMEOUT  # cut at the budget, not after every cell's timeout
    replayed = GradingRecord.load(batch["course"].autograded / "replayed_then_killed" / ASSIGNMENT)
    assert replayed.restarts <= 4
    # a kernel that never stops talking holds the grader no longer than its budget (and the watchdog's
    # grace of responsive_timeout), whether it forges shell replies or floods its output
    for student in ("forged_shell_flood", "iopub_costly_flood"):
        record = GradingRecord.load(batch["course"].autograded / student / ASSIGNMENT)
        assert record.seconds < BUDGET + 1 + 10, (student, record.seconds)


def test_attempts_are_reported_with_cell_and_line(batch):
    rows = batch["report"]
    flagged = lambda student: {(r["category"], r["cell"]) for r in rows if r["student"] == student}
    assert ("frames", "conv_forward") in flagged("frames_reference")
    assert ("network", "conv_forward") in flagged("network")
    assert ("process", "conv_forward") in flagged("process_storm")
    assert ("patching", "conv_forward") in flagged("patches_numpy")
    assert ("patching", "conv_forward") in flagged("unfreezes_inputs")  # imports and patches the grader's wire
    assert ("threads", "conv_forward") in flagged("iopub_costly_flood")
    assert ("tampering", "test_conv_forward_stride2") in flagged("moves_tests")
    assert ("tampering", "test_conv_forward_contract") in flagged("swaps_test_labels")
    assert any(category == "tampering" for category, _ in flagged("forged_shell_flood"))
    file_rows = [r for r in rows if r["student"] == "reads_notebooks" and r["category"] == "file"]
    assert {r["seen"] for r in file_rows} == {"code", "run"}
    for student in HONEST + [BASELINE]:
        assert flagged(student) == set(), (student, flagged(student))


# ---------------------------------------------------------------- the speed tests of 05

SPEED = "05_fast_layers"
FAST = ("conv_forward_fast", "conv_backward_fast", "pool_forward_fast")
SPEED_CELLS = [f"test_{function}_speed" for function in FAST]
SPEED_BASELINE = "loops"  # the course's loop versions called as the fast ones: right, and slow


def speed_notebook(course, code=""):
    """The release notebook of 05 with every solution cell solved, except those ``code`` answers
    (its ``# %% <cell id>`` sections)."""
    sections = dict(section.split("\n", 1) for section in code.split("# %% ")[1:])
    known = course.solutions()
    nb = nbformat.read(course.notebook(course.release, SPEED), as_version=4)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = sections.get(grade_id(cell), known[grade_id(cell)])
    return nb


def catalog(function, variant):
    return (Path(__file__).parents[1] / "catalog" / "student_code" / function / f"{variant}.py").read_text()


@pytest.fixture(scope="module")
def speed_batch(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("speed-course")
    graded = course.copy_to(root)
    graded.nbgrader("generate_assignment", SPEED, "--force")
    students = {"complete": "", **{path.stem: path.read_text() for path in sorted(SPEED_CASES.glob("*.py"))},
                # honest, and slow: a loop over the output positions, vectorized over everything else
                "positions_loop": "".join(f"# %% {f}\n{catalog(f, 'bug_loops_over_positions')}\n" for f in FAST)}
    for student, code in students.items():
        write_speed = graded.submitted / student / SPEED
        write_speed.mkdir(parents=True)
        nbformat.write(speed_notebook(graded, code), write_speed / f"{SPEED}.ipynb")
    run = subprocess.run([sys.executable, "-m", "convstep", "autograde", SPEED, "--course", str(root), "--workers", "2"],
                         capture_output=True)
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    return {"course": graded, "students": students}


def test_speed_marks_need_fast_code_whatever_the_kernel_does(speed_batch):
    course, students = speed_batch["course"], speed_batch["students"]
    cells = {student: report.cell_scores(course, student, SPEED) for student in students}
    total = {student: sum(score for score, _ in cells[student].values()) for student in students}
    assert all(cells["complete"][c][0] == cells["complete"][c][1] > 0 for c in SPEED_CELLS), cells["complete"]
    for student, code in students.items():
        if student == "complete":
            continue
        answered = [f"test_{f}_speed" for f in FAST if f"# %% {f}\n" in code]  # the functions it answers itself
        assert answered and all(cells[student][c][0] == 0 for c in answered), (student, cells[student])
        assert total[student] <= total[SPEED_BASELINE], (student, total[student])
    assert total[SPEED_BASELINE] == total["complete"] - sum(cells["complete"][c][1] for c in SPEED_CELLS)


def test_a_killed_graders_private_copies_go_with_the_next_run(tmp_path, course):
    """The intake copies every submission into a private folder; a grader killed before it could remove
    it leaves it behind, and the next grading run removes it."""
    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", "01_zero_padding", "--force")
    for student in ("a", "b"):
        folder = copy.submitted / student / "01_zero_padding"
        folder.mkdir(parents=True)
        nbformat.write(nbformat.read(copy.notebook(copy.release, "01_zero_padding"), as_version=4),
                       folder / "01_zero_padding.ipynb")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    grader = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", "01_zero_padding"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pattern = f"{INTAKE_PREFIX}{grader.pid}-*"
    tmp = Path(tempfile.gettempdir())
    for _ in range(6000):  # the copies exist as soon as the grader has read the submissions
        if list(tmp.glob(pattern)) or grader.poll() is not None:
            break
        time.sleep(0.01)
    left = list(tmp.glob(pattern))
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert left and all(folder.exists() for folder in left)
    again = nbgrader(copy, "autograde", "01_zero_padding", "--force")
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    assert not any(folder.exists() for folder in left)


def test_a_flood_of_message_parts_is_cut_off(tmp_path, course):
    """ZeroMQ holds every part of a message in the grader's memory until the last part arrives, and
    counts a message of any number of parts as one against its queue: the kernel in ``multipart_flood.py``
    sends 40 GB that way. The watchdog kills it once the grader has grown by max_grader_memory (the
    kill comes within one look of the watchdog, so the grader holds somewhat more than that)."""
    copy = course.copy_to(tmp_path)
    with open(tmp_path / "nbgrader_config.py", "a") as config:
        config.write("".join(f"\nc.{setting} = {value}" for setting, value in SETTINGS.items()) + "\n")
    copy.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    cells = case_code(Path(__file__).parent / "multipart_flood.py", tmp_path, tmp_path, 0)
    write(copy, "multipart_flood", student_notebook(copy, cells))
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    grading = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = GraderMemory(grading)
    memory.start()
    _, stderr = grading.communicate()
    memory.join()
    assert grading.returncode == 0, stderr.decode()[-2000:]
    record = GradingRecord.load(copy.autograded / "multipart_flood" / ASSIGNMENT)
    assert [note.kind for note in record.notes] == ["flood", "not_run"]  # no new kernel floods it again
    assert "kernel sent more than" in record.notes[0].detail and record.restarts == 1
    assert 0 < memory.peak < 4 * 1024 * 1024  # kB: a tenth of what was sent, and far below this machine's memory


def test_a_configuration_that_does_not_load_fails_every_test_instead_of_grading_unsafely(tmp_path, course):
    """traitlets only logs an error in nbgrader_config.py and goes on without it: nbgrader would then run
    the test cells in the student's kernel, unsandboxed. They refuse there, so every test fails and says why."""
    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", "01_zero_padding", "--force")
    write_class(copy, {"complete": SAMPLE_STUDENTS["complete"]}, ["01_zero_padding"])
    config = tmp_path / "nbgrader_config.py"
    working = config.read_text()
    config.write_text(working + "\nimport a_module_this_machine_lacks  # as a missing dependency would\n")
    run = nbgrader(copy, "autograde", "01_zero_padding", "--force")
    config.write_text(working)  # for reading the gradebook below
    assert b"a_module_this_machine_lacks" in run.stderr  # what traitlets logged, and nbgrader went on
    graded = nbformat.read(copy.notebook(copy.autograded / "complete", "01_zero_padding"), as_version=4)
    errors = [o for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade") for o in c.outputs
              if o.output_type == "error"]
    assert errors and all("without convstep's safe grading" in o.evalue for o in errors)
    assert report.scores(copy, ["complete"])["complete", "01_zero_padding"] == (0, 3)


def test_refuses_without_a_sandbox_unless_told(tmp_path, course):
    """With bwrap missing from PATH, grading refuses and names the fix; the opt-out grades anyway."""
    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", "01_zero_padding", "--force")
    write_class(copy, {"complete": SAMPLE_STUDENTS["complete"]}, ["01_zero_padding"])
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no /usr/bin: no bwrap
    run = lambda *extra: subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "01_zero_padding", *extra],
                                        cwd=tmp_path, env=env, capture_output=True, text=True)
    refused = run()
    assert refused.returncode != 0
    assert "refusing to grade without a sandbox" in refused.stderr + refused.stdout
    assert "apt-get install bubblewrap" in refused.stderr + refused.stdout
    assert not (tmp_path / "autograded" / "complete" / "01_zero_padding").exists()
    allowed = run("--SandboxedExecute.sandbox=False")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert "GRADING WITHOUT A SANDBOX" in allowed.stderr
    assert report.scores(copy, ["complete"])["complete", "01_zero_padding"] == (3, 3)
