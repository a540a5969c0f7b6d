"""Hostile submissions, graded by the real nbgrader in the sandbox, next to honest classmates.

One batch (`nbgrader autograde 01_zero_padding`) grades two honest students and every hostile one.
For each hostile submission: the batch finishes; it gets a score or a clear status in the table;
the honest students' grades equal those of a clean run; nothing outside the sandbox changed; no
secret reached its output; faked tests earn nothing and the integrity report names the cell.
"""

import hashlib
import json
import re
import socket
import threading
import uuid

import nbformat
import pytest

from convstep import integrity
from convstep.course import grade_id, is_solution

ASSIGNMENT = "01_zero_padding"
TIMEOUT = 5  # seconds per cell for this batch, to keep the suite quick
HONEST = ["complete", "mistakes"]
MARKER = uuid.uuid4().hex  # written by hostile code wherever it can; must appear nowhere
SLEEPER = "987654"         # argument of the processes a submission tries to leave behind

WRONG = "def zero_pad(X, pad):\n    return np.pad(X, pad)\n"  # pads all four axes: fails every test


def hostile_cases(solution, root, canary, port):
    """{student: (solution cell code, notebook mutation or None)}."""
    canary = str(canary)
    secrets = [f"{root}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", f"{root}/gradebook.db", f"{ASSIGNMENT}.ipynb",
               f"../../../source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "../../../gradebook.db",
               f"{root}/submitted/complete/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", f"../../complete/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
               f"{root}/autograded/complete/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"]
    fake_checks = ("import types, sys\nfake = types.ModuleType('convstep.checks')\n"
                   "for name in ['call', 'check_shape', 'check_close', 'check_unchanged', 'unpack']:\n"
                   "    setattr(fake, name, (lambda fn, *a, **k: fn(*a, **{x: y for x, y in k.items() if x not in ('case', 'hint')})) "
                   "if name == 'call' else (lambda *a, **k: None))\n")

    def drop(cell_id):
        return lambda nb: nb.cells.remove(next(c for c in nb.cells if grade_id(c) == cell_id))

    def duplicate(cell_id):
        def mutate(nb):
            cell = next(c for c in nb.cells if grade_id(c) == cell_id)
            copy = nbformat.from_dict(json.loads(json.dumps(cell)))
            copy.id = f"{cell.id}-copy"  # a copy made in JupyterLab gets a new cell id, same metadata
            nb.cells.insert(nb.cells.index(cell), copy)
        return mutate

    def edit_tests(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = "print('zero_pad: all tests passed.')"

    return {
        "loop": ("def zero_pad(X, pad):\n    while True:\n        pass\n", None),
        "print_flood": ("while True:\n    print('spam ' * 200)\n" + solution, None),
        "memory_bomb": ("hog = []\nwhile True:\n    hog.append(np.ones(2**24))\n" + solution, None),
        "exit": ("import os\ndef zero_pad(X, pad):\n    os._exit(1)\n", None),
        "process_storm": (solution + "\nimport os, subprocess, time\n"
                          f"if os.fork() == 0:\n    time.sleep({SLEEPER})\n    os._exit(0)\n"
                          "procs = []\ntry:\n    while True:\n"
                          f"        procs.append(subprocess.Popen(['sleep', '{SLEEPER}'], start_new_session=True))\n"
                          "except OSError as error:\n    print('stopped after', len(procs), error)\n", None),
        "deleted_test": (solution, drop("test_zero_pad_values")),
        "edited_test": (WRONG, edit_tests),
        "duplicated_test": (solution, duplicate("test_zero_pad_visible")),
        "corrupt": (None, "{ this is not JSON"),
        "missing": (None, "no notebook"),
        "reads_secrets": (WRONG + "import os, glob\n"
                          f"for path in {secrets!r}:\n"
                          "    try:\n        print(path, open(path, errors='replace').read()[:5000])\n"
                          "    except Exception as error:\n        print(path, type(error).__name__)\n"
                          "print(os.listdir('/'), os.getcwd(), os.listdir('.'))\n"
                          "print(glob.glob('/**/gradebook.db', recursive=True))\n", None),
        "writes": (WRONG + "import os, shutil, sqlite3\n"
                   f"for path in [{canary!r}, '{root}/gradebook.db', '{root}/submitted/complete/{ASSIGNMENT}/x.txt',\n"
                   f"             '../../complete/{ASSIGNMENT}/{ASSIGNMENT}.ipynb', '{root}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb']:\n"
                   f"    try:\n        open(path, 'a').write('{MARKER}')\n    except Exception as error:\n        print(path, type(error).__name__)\n"
                   f"for path in [{canary!r}, '{root}/source', '{root}']:\n"
                   "    try:\n        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)\n"
                   "    except Exception as error:\n        print(path, type(error).__name__)\n"
                   f"try:\n    sqlite3.connect('{root}/gradebook.db').execute('delete from grade')\n"
                   "except Exception as error:\n    print('sqlite', type(error).__name__)\n", None),
        "network": (WRONG + "import socket\n"
                    f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'{MARKER}')\n"
                    "except Exception as error:\n    print('network', type(error).__name__, error)\n", None),
        "patch_numpy": (WRONG + "import numpy\n"
                        "numpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(b), bool)\n"
                        "numpy.allclose = lambda *a, **k: True\nnumpy.array_equal = lambda *a, **k: True\n", None),
        "patch_testing": (WRONG + "import convstep.checks, numpy.testing\n"
                          "convstep.checks._fail = lambda *a, **k: None\n"
                          "numpy.testing.assert_allclose = lambda *a, **k: None\n", None),
        "patch_builtins": (WRONG + fake_checks + "import builtins\nreal_import = builtins.__import__\n"
                           "def sneaky(name, *args, **kwargs):\n"
                           "    return fake if name == 'convstep.checks' else real_import(name, *args, **kwargs)\n"
                           "builtins.__import__ = sneaky\n", None),
        "patch_sys_modules": (WRONG + fake_checks + "sys.modules['convstep.checks'] = fake\n", None),
        "patch_during_test": ("def zero_pad(X, pad):\n    import convstep.checks\n"
                              "    convstep.checks._fail = lambda *a, **k: None\n    return np.pad(X, pad)\n", None),
        "rewrite_cells": (WRONG + "get_ipython().input_transformers_cleanup.append(\n"
                          "    lambda lines: ['print(\"zero_pad: all tests passed.\")\\n'])\n", None),
    }


def snapshot(paths):
    """{file: sha256} for every file under the given paths."""
    hashes = {}
    for top in paths:
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file():
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def write_submission(course, student, code, mutation):
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    if mutation == "no notebook":
        (folder / "notes.txt").write_text("I forgot to upload my notebook")
        return
    if isinstance(mutation, str):
        path.write_text(mutation)
        return
    nb = nbformat.read(course.notebook(course.release, ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = code
    if mutation:
        mutation(nb)
    nbformat.write(nb, path)


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


def sleepers():
    """Processes left running by a submission (their command line holds SLEEPER)."""
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if SLEEPER in open(f"/proc/{pid}/cmdline").read():
                found.append(pid)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("course")
    graded = course.copy_to(root)
    graded.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    solution = graded.solutions()["zero_pad"]
    for student in HONEST:
        write_submission(graded, student, solution, None)

    # The clean run: honest students alone.
    graded.autograde(ASSIGNMENT, f"--SandboxedExecute.timeout={TIMEOUT}")
    clean = {s: graded.cell_scores(s, ASSIGNMENT) for s in HONEST}

    canary = tmp_path_factory.mktemp("outside") / "canary.txt"
    canary.write_text("the grader's own file")
    listener = Listener()
    cases = hostile_cases(solution, root, canary, listener.port)
    for student, (code, mutation) in cases.items():
        write_submission(graded, student, code, mutation)
    protected = [root / "source", root / "release", canary] + [root / "submitted" / s for s in HONEST]
    before = snapshot(protected)
    try:
        result = graded.autograde(ASSIGNMENT, f"--SandboxedExecute.timeout={TIMEOUT}")
    finally:
        listener.close()
    students = HONEST + list(cases)
    return {"course": graded, "clean": clean, "cases": cases, "result": result, "before": before,
            "after": snapshot(protected), "listener": listener, "students": students, "canary": canary,
            "table": graded.format_table(students), "report": integrity.report(graded, students)}


def score(batch, student):
    return batch["course"].scores([student]).get((student, ASSIGNMENT), (None, None))[0]


def outputs(batch, student):
    path = batch["course"].notebook(batch["course"].autograded / student, ASSIGNMENT)
    return path.read_text() if path.exists() else ""


def flagged(batch, student):
    return {(row["category"], row["cell"]) for row in batch["report"] if row["student"] == student}


def test_honest_grades_equal_a_clean_run(batch):
    for student in HONEST:
        assert batch["course"].cell_scores(student, ASSIGNMENT) == batch["clean"][student]
        assert score(batch, student) == 3


def test_every_hostile_submission_gets_a_score_or_a_status(batch):
    course = batch["course"]
    notes = {student: course.notes(student, ASSIGNMENT) for student in batch["cases"]}
    for student in batch["cases"]:
        assert score(batch, student) is not None or notes[student], student
    assert notes["corrupt"].startswith("unreadable notebook")
    assert notes["missing"] == "no notebook submitted"
    assert "test_zero_pad_visible" in notes["loop"] and notes["loop"].startswith("timed out")
    assert "timed out: zero_pad" in notes["print_flood"] and "output flood truncated in zero_pad" in notes["print_flood"]
    assert "kernel died" in notes["exit"]
    row = next(line for line in batch["table"].splitlines() if line.startswith("corrupt "))
    assert "unreadable notebook" in row
    # nbgrader itself gave up on exactly one submission; the batch went on with all the others
    assert re.findall(r"error processing assignment '[^']+' for student '([^']+)'", batch["result"]) == ["corrupt"]


def test_scores_of_hostile_submissions(batch):
    expected = {"loop": 0, "print_flood": 0, "memory_bomb": 0, "exit": 0, "process_storm": 3,
                "deleted_test": 3, "edited_test": 0, "duplicated_test": 3, "reads_secrets": 0, "writes": 0,
                "network": 0, "patch_numpy": 0, "patch_testing": 0, "patch_builtins": 0, "patch_sys_modules": 0,
                "patch_during_test": 0, "rewrite_cells": 0, "missing": None}
    assert {s: score(batch, s) for s in expected} == expected


def test_memory_bomb_hits_the_limit(batch):
    assert "MemoryError" in outputs(batch, "memory_bomb")


def test_faked_tests_earn_nothing_and_are_flagged(batch):
    for student in ["patch_numpy", "patch_testing", "patch_builtins", "patch_sys_modules", "patch_during_test",
                    "rewrite_cells"]:
        assert ("patching", "zero_pad") in flagged(batch, student), (student, flagged(batch, student))
    assert "IntegrityError" in outputs(batch, "patch_during_test")


def test_nothing_outside_the_sandbox_changed(batch):
    assert batch["after"] == batch["before"]
    assert batch["canary"].read_text() == "the grader's own file"
    assert MARKER.encode() not in batch["course"].gradebook.read_bytes()
    assert batch["listener"].received == []
    assert sleepers() == [], "processes started by a submission outlived its notebook"


def test_no_secret_reached_a_submission(batch):
    hidden = "default_rng(102)"           # a line of a hidden test
    solution = 'mode="constant", constant_values=0)'  # a line of the instructor's solution
    assert "01_zero_padding.ipynb FileNotFoundError" in outputs(batch, "reads_secrets")  # its own, restored
    for student in ["reads_secrets", "writes", "network"]:
        text = outputs(batch, student)
        # The autograded notebook itself holds the hidden tests; what matters is the student's output.
        produced = "".join(o.get("text", "") for c in nbformat.reads(text, as_version=4).cells
                           if c.cell_type == "code" for o in c.outputs)
        for secret in [hidden, solution, "SQLite format", "BEGIN HIDDEN TESTS"]:
            assert secret not in produced, (student, secret)


def test_reaching_outside_is_reported_with_cell_and_line(batch):
    rows = [r for r in batch["report"] if r["student"] == "reads_secrets" and r["category"] == "file"]
    assert {r["seen"] for r in rows} == {"code", "run"}
    assert any("source" in r["detail"] and r["cell"] == "zero_pad" and r["line"] for r in rows if r["seen"] == "run")
    assert ("network", "zero_pad") in flagged(batch, "network")
    assert ("process", "zero_pad") in flagged(batch, "process_storm")
    assert ("exit", "zero_pad") in flagged(batch, "exit")
    for student in HONEST + ["deleted_test", "duplicated_test", "loop"]:
        assert flagged(batch, student) == set(), (student, flagged(batch, student))


def test_guard_tells_the_course_from_the_python_installation():
    """The virtual environment may sit inside the course directory: imports are not reaching out."""
    from convstep.guard import Guard

    guard = Guard(None, "/course/autograded/ann/01", ["/course/.venv", "/course/convstep", "/usr"], ["/course"])
    assert not guard.outside("/course/.venv/lib/python3.11/site-packages/numpy/__init__.py")
    assert not guard.outside("data.txt") and not guard.outside("/tmp/scratch.npy")
    assert guard.outside("../../../gradebook.db") and guard.outside("/course/source/01/01.ipynb")
    assert guard.outside("01.ipynb") and guard.outside("/etc/passwd")


def test_refuses_without_a_sandbox_unless_told(tmp_path, course):
    """With bwrap missing from PATH, grading refuses and names the fix; the opt-out grades anyway."""
    import os
    import subprocess
    import sys

    copy = course.copy_to(tmp_path)
    copy.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    write_submission(copy, "complete", copy.solutions()["zero_pad"], None)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no /usr/bin: no bwrap
    run = lambda *extra: subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, *extra],
                                        cwd=tmp_path, env=env, capture_output=True, text=True)
    refused = run()
    assert refused.returncode != 0
    assert "refusing to grade without a sandbox" in refused.stderr + refused.stdout
    assert "apt-get install bubblewrap" in refused.stderr + refused.stdout
    assert not (tmp_path / "autograded" / "complete" / ASSIGNMENT).exists()
    allowed = run("--SandboxedExecute.sandbox=False")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert "GRADING WITHOUT A SANDBOX" in allowed.stderr
    assert copy.scores(["complete"])["complete", ASSIGNMENT] == (3, 3)
