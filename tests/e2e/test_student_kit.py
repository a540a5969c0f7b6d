"""The student kit end to end: built from a fresh clone of the committed course, installed from its
own files into a new virtual environment, every notebook in it run there (the release notebooks with
the solutions typed in, as a student would, and the explorers), and not one solution or hidden-test
line of source/ anywhere in it."""

import json
import os
import re
import subprocess
import sys
import venv

import pytest
from conftest import _free_port, _server
from test_browser import ARTIFACTS, _assert_clean_console

from convstep.notebooks import HIDDEN_MARKER
from convstep.notebooks import SOLUTION_MARKER as MARKER
from convstep.notebooks import grade_id
from convstep.notebooks import read as read_notebook

GRADING = ["source", "autograded", "submitted", "feedback", "tests", "nbgrader_config.py", "gradebook.db",
           "convstep/course.py", "convstep/samples.py", "convstep/grading", "convstep/sandbox", "convstep/report.py",
           "convstep/integrity.py", "convstep/notebooks.py", "convstep/bootstrap.py", "convstep/studentkit.py",
           "convstep/__main__.py"]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def built(tmp_path_factory, course):
    """(clone, kit): a fresh clone of this repository's HEAD and the kit built there by the command line's code."""
    root = tmp_path_factory.mktemp("student-kit")
    clone, kit = root / "clone", root / "kit"
    head = run("git", "-C", str(course.root), "rev-parse", "HEAD").stdout.strip()
    run("git", "clone", "--quiet", "--no-checkout", str(course.root), str(clone))
    run("git", "-C", str(clone), "checkout", "--quiet", head)
    # The clone's own package (sys.path[0] is its folder), not this checkout's.
    where = run(sys.executable, "-c", "import sys, convstep.studentkit as k; print(k.__file__); k.build(sys.argv[1])",
                str(kit), cwd=clone).stdout
    assert where.startswith(str(clone)), where
    return clone, kit


def regions(cell):
    """(stripped line, "solution" | "hidden" | "public") for every line of a source cell."""
    kind = "public"
    for line in cell.source.splitlines():
        if MARKER.match(line):
            kind = "solution" if "BEGIN" in line else "public"
        elif HIDDEN_MARKER.search(line):
            kind = "hidden" if "BEGIN" in line else "public"
        elif line.strip():
            yield line.strip(), kind


def distinctive(line):
    """Lines too short or too generic to give anything away (`else:`, `return None`, an import)."""
    return len(line) >= 12 and not re.match(r"(from [\w.]+ )?import [\w., ]+$", line)


def secrets(course, released):
    """{line: where} of every solution and hidden-test line of source/ that the kit must not hold: all
    hidden tests, and the solutions that no released notebook provides as read-only code."""
    provided, public, secret = set(), set(), {}
    for assignment in released:
        for cell in read_notebook(course.notebook(course.source, assignment)).cells:
            if (grade_id(cell) or "").startswith("provided_"):
                provided.add(grade_id(cell).removeprefix("provided_"))
    for assignment in course.assignments():
        for cell in read_notebook(course.notebook(course.source, assignment)).cells:
            for line, kind in regions(cell):
                if kind == "solution" and grade_id(cell) in provided:
                    kind = "public"
                if kind == "public":
                    if assignment in released:
                        public.add(line)
                elif distinctive(line):
                    secret.setdefault(line, f"{assignment}: {grade_id(cell)} ({kind})")
    return {line: where for line, where in secret.items() if line not in public}


def text_lines(folder):
    """{stripped line: file} of every text file under folder (notebooks by their cells' sources)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if ".git" in path.parts or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        for line in text.splitlines():
            found.setdefault(line.strip(), str(path.relative_to(folder)))
    return found


def test_kit_holds_only_what_students_need(built, course):
    clone, kit = built
    for name in GRADING:
        assert not (kit / name).exists(), f"the kit holds {name}"
    for assignment in course.assignments():
        assert (kit / assignment / f"{assignment}.ipynb").is_file(), assignment
    assert sorted(p.name for p in (kit / "explorers").glob("*.ipynb")) == \
        sorted(p.name for p in (clone / "notebooks").glob("*.ipynb"))
    for name in ["README.md", "requirements.txt", "environment.yml", "pyproject.toml", "postBuild"]:
        assert (kit / name).is_file(), name
    assert "SAMPLE_STUDENTS" not in "\n".join(text_lines(kit)), "the sample class's solution edits are in the kit"
    # a repository an instructor can push: one commit, nothing left out of it
    assert len(run("git", "-C", str(kit), "log", "--oneline").stdout.splitlines()) == 1
    assert run("git", "-C", str(kit), "status", "--porcelain").stdout == ""
    # the same pins as the course
    pins = dict(re.findall(r"^([\w-]+)==([\w.]+)", (kit / "requirements.txt").read_text(), re.M))
    project = dict(re.findall(r'"([\w-]+)==([\w.]+)"', (clone / "pyproject.toml").read_text()))
    assert pins and all(project[name] == version for name, version in pins.items()), pins
    assert {"numpy", "scikit-learn", "scipy", "jupyterlab", "ipykernel"} <= set(pins)
    assert "nbgrader" not in pins


def test_kit_holds_no_solution_and_no_hidden_test(built, course):
    clone, kit = built
    released = [p.name for p in kit.iterdir() if re.match(r"\d\d_", p.name)]
    secret = secrets(course, released)
    # the check can fail: source/ itself is full of them
    assert len(set(secret) & set(text_lines(clone / "source"))) > 300
    held = text_lines(kit)
    leaked = {line: (where, held[line]) for line, where in secret.items() if line in held}
    assert leaked == {}


def test_an_early_kit_holds_no_later_notebook_or_solution(tmp_path, built, course):
    clone, _ = built
    kit = tmp_path / "kit-02"
    run(sys.executable, "-c", "import sys, convstep.studentkit as k; k.build(sys.argv[1], upto='02')", str(kit), cwd=clone)
    assert sorted(p.name for p in kit.iterdir() if re.match(r"\d\d_", p.name)) == ["01_zero_padding", "02_conv_forward"]
    secret = secrets(course, ["01_zero_padding", "02_conv_forward"])
    assert "Z = np.sum(a_slice_prev * W) + b.item()" in secret  # conv_single_step is not provided before 04
    held = text_lines(kit)
    assert [line for line in secret if line in held] == []


RUNNER = r'''
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

solutions = json.loads(Path(sys.argv[1]).read_text())
report = {}
for path in map(Path, sys.argv[2:]):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = solutions[meta["grade_id"]]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    report[path.name] = {
        "errors": [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
                  + [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"],
        "silent_tests": [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                         if c.metadata.get("nbgrader", {}).get("grade")   # visible tests: hidden ones are empty here
                         and any(l.strip() and not l.lstrip().startswith("#") for l in c.source.splitlines())
                         and not any(o.output_type == "stream" and o.text.strip() for o in c.outputs)],
        "widgets": sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs),
        "figures": sum("image/png" in o.get("data", {}) for o in outputs),
    }
print(json.dumps(report))
'''


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """(venv folder, its environment variables): a new virtual environment with the kit installed
    from its own files, as its README tells students."""
    _, kit = built
    env_dir = tmp_path_factory.mktemp("kit-venv") / "venv"
    venv.create(env_dir, with_pip=True)
    run(str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-r", "requirements.txt", ".", cwd=kit)
    env = dict(os.environ, PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    return env_dir, env


def test_kit_installs_from_its_own_files_and_every_notebook_runs(tmp_path, built, installed, course):
    clone, kit = built
    env_dir, env = installed
    python = env_dir / "bin" / "python"
    solutions = tmp_path / "solutions.json"
    solutions.write_text(json.dumps(course.solutions()))   # a student's finished work
    runner = tmp_path / "run_notebooks.py"
    runner.write_text(RUNNER)
    notebooks = sorted(kit.glob("[0-9][0-9]_*/*.ipynb")) + sorted((kit / "explorers").glob("*.ipynb"))
    # outside the kit folder, so that `import convstep` can only be the installed kit
    result = run(str(python), str(runner), str(solutions), *map(str, notebooks), cwd=tmp_path, env=env)
    report = json.loads(result.stdout.splitlines()[-1])
    assert set(report) == {p.name for p in notebooks}
    for name, outcome in report.items():
        assert outcome["errors"] == [] and outcome["silent_tests"] == [], (name, outcome)
    for assignment in course.assignments():
        assert report[f"{assignment}.ipynb"]["figures"] >= 2, assignment
        assert report[f"{assignment}.ipynb"]["widgets"] >= 1, assignment
    where = run(str(python), "-c", "import convstep.checks; print(convstep.checks.__file__)", cwd=tmp_path).stdout
    assert str(env_dir) in where and str(clone) not in where
    # JupyterLab and Notebook 7 in the kit's environment load the no-delay websocket (convstep.websocket)
    extensions = run(str(env_dir / "bin" / "jupyter"), "server", "extension", "list", cwd=tmp_path, env=env)
    listed = re.sub(r"\x1b\[[0-9;]*m", "", extensions.stdout + extensions.stderr)
    assert re.search(r"convstep\.websocket\s+enabled", listed) and re.search(r"convstep\.websocket\s+OK", listed), listed


def test_kit_voila_app_is_clean_in_chromium(built, installed, browser, tmp_path):
    """`voila explorers/` in the kit, as its README says: the kit's voila.json and the convstep
    template (installed by pip), so the tree and an explorer load nothing from another host and
    leave the console clean, as the repository's own app does (tests/e2e/test_browser.py)."""
    _, kit = built
    env_dir, env = installed
    port = _free_port()
    command = [str(env_dir / "bin" / "voila"), "explorers", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    with _server(command, f"http://127.0.0.1:{port}/", tmp_path, cwd=kit, variables={"PATH": env["PATH"]}):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.console_errors, page.requested, page.failed_requests = [], [], []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: page.requested.append(r.url))
        page.on("requestfailed", lambda r: page.failed_requests.append((r.url, r.failure or "")))
        try:
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator(".jp-DirListing-item", has_text="02_convolution.ipynb").wait_for(timeout=60_000)
            _assert_clean_console(page, "the kit's voila tree")
            page.goto(f"http://127.0.0.1:{port}/voila/render/02_convolution.ipynb")
            image = page.locator("img.widget-image").first
            image.wait_for(timeout=120_000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=image.element_handle())
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "kit_voila_convolution.png"), full_page=True)
            _assert_clean_console(page, "the kit's voila explorer")
        finally:
            page.close()
