"""The student kit: what students may see, as a folder of its own (a git repository, Binder-ready).

This repository is the instructor's: it holds ``source/`` (every solution and hidden test), the grading
code and the sample class. The kit holds only

- the release notebooks of the assignments released so far (``--upto NN``),
- the explorer notebooks of ``notebooks/``,
- the modules of this package that those notebooks import, followed transitively (so the kit follows
  the package as it changes, and grading code stays out unless a notebook really imports it),
- ``requirements.txt`` / ``environment.yml`` with this project's pins for what those modules and
  notebooks import, a minimal ``pyproject.toml``, ``postBuild`` for Binder, and a README for students;
- the explorers' Voila app as in the repository: ``voila.json`` and the ``convstep`` page template.

``python3 -m convstep student-kit DIR [--upto NN]`` builds it; ``tests/e2e/test_student_kit.py``
installs it in a new virtual environment and runs every notebook in it.
"""

import ast
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from convstep.bootstrap import ROOT, SERVER_CONFIG
from convstep.course import Course, CourseError
from convstep.notebooks import grade_id, is_solution
from convstep.notebooks import read as read_notebook

PACKAGE = "convstep"
# Modules (and packages, with everything in them) that must never reach students, whatever imports
# them: the sample class's solution edits, the grader, the instructor's tooling.
FORBIDDEN = ("convstep.samples", "convstep.course", "convstep.grading", "convstep.sandbox", "convstep.integrity",
             "convstep.report", "convstep.notebooks", "convstep.bootstrap", "convstep.__main__",
             "convstep.studentkit")


def forbidden(module):
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)
# What a student needs to open and run notebooks, whatever the notebooks import.
RUNTIME = ["jupyterlab", "notebook", "ipykernel", "ipywidgets", "voila"]
# The server extension that sends kernel messages at once (the explorers' repaint), and the file that
# enables it, which `pip install .` puts into the environment's etc/jupyter.
SERVER_EXTENSION = "convstep.websocket"
SERVER_CONFIG_FILE = "jupyter-config/jupyter_server_config.d/convstep.json"
# The explorers' Voila app as in the repository: voila.json (the template, the front-end extensions
# it loads, the no-delay websocket) and the template itself, which `pip install .` puts on the
# environment's Jupyter data path, where Voila looks for templates.
VOILA_CONFIG = "voila.json"
VOILA_TEMPLATE = "convstep/explorers/voila_template"
VOILA_TEMPLATE_FILES = "jupyter-data/voila/templates/convstep"


# ---------------------------------------------------------------- imports

def _code_cells(path):
    """The code of a notebook's code cells, IPython magics and shell lines removed."""
    for cell in read_notebook(path).cells:
        if cell.cell_type == "code":
            yield "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _imported(code, module=None, is_package=False):
    """Absolute names imported by ``code``; relative imports resolved against ``module``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            names.add(prefix)
            # `from package import name` may import a submodule
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


def _module_file(name, root):
    """The file of a module of this package, or None if ``name`` is not one (e.g. a function)."""
    path = Path(root, *name.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def package_closure(notebooks, root=ROOT, also=()):
    """({module name: file} of this package that ``notebooks`` need, {top-level third-party imports}).

    also -- modules needed although no notebook imports them (what the kit's servers load).
    Follows imports transitively, adds every enclosing package's ``__init__.py``, and refuses a
    closure that reaches a FORBIDDEN module.
    """
    pending, modules, third_party = set(also), {}, set()
    for path in notebooks:
        for code in _code_cells(path):
            pending |= _imported(code)
    while pending:
        name = pending.pop()
        top = name.split(".")[0]
        if top != PACKAGE:
            if top and top not in sys.stdlib_module_names:
                third_party.add(top)
            continue
        parts = name.split(".")
        for k in range(1, len(parts) + 1):        # the packages on the way, then the module itself
            sub = ".".join(parts[:k])
            if sub in modules:
                continue
            file = _module_file(sub, root)
            if file is None:
                continue
            if forbidden(sub):
                raise CourseError(f"the student kit would include {sub} ({file.relative_to(root)}), which holds "
                                  "grading code or solution fragments: remove that import from the notebooks or "
                                  "the modules they use")
            modules[sub] = file
            pending |= _imported(file.read_text(), sub, is_package=file.name == "__init__.py")
    return modules, third_party


# ---------------------------------------------------------------- pins

def project_pins(root=ROOT):
    """{distribution: (version, comment)} from pyproject.toml's pinned dependencies."""
    pins = {}
    text = Path(root, "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    for line in block.splitlines():
        match = re.match(r'\s*"([\w-]+)==([\w.]+)",\s*(?:#\s*(.*))?$', line)
        if match:
            pins[match.group(1).lower()] = (match.group(2), (match.group(3) or "").strip())
    return pins


def distributions(imports):
    """The distributions that provide the given top-level import names (skimage -> scikit-image)."""
    provided = importlib.metadata.packages_distributions()
    return {dist.lower() for name in imports for dist in provided.get(name, [])}


def kit_pins(third_party, root=ROOT):
    """[(distribution, version, comment)]: the runtime, then what the kit imports, with the project's pins.

    An imported distribution that the project does not pin (Pillow, say) comes in as a dependency
    of a pinned one; a pinned one missing from pyproject.toml is an error.
    """
    pins = project_pins(root)
    wanted = list(RUNTIME) + sorted(distributions(third_party) & set(pins))
    missing = [d for d in RUNTIME if d not in pins]
    if missing:
        raise CourseError(f"pyproject.toml does not pin {', '.join(missing)}, which the student kit needs")
    return [(d, *pins[d]) for d in dict.fromkeys(wanted)]


# ---------------------------------------------------------------- the kit

README = """# {title} — student kit

Interactive notebooks in which you build the layers of a convolutional network from scratch in numpy,
forward and backward, then train a network of them — plus visual explorers of padding, stride, pooling
and gradients. This folder is everything you need; nothing is downloaded while you work.

| Notebook | You write |
|---|---|
{table}

`explorers/` holds the visual explorers (no code to write): `explorers/index.ipynb` lists them.

## Get started

**On your laptop** (Python 3.11):

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt .
.venv/bin/jupyter lab
```

(With conda: `conda env create -f environment.yml`, `conda activate {env}`, `pip install --no-deps .`, then
`jupyter lab`.) On Windows, use `.venv\\Scripts\\` instead of `.venv/bin/`.

**On Binder**: open the link your instructor gives you (this folder is a Binder-ready repository); it
starts JupyterLab with everything installed. Binder sessions are temporary: download your notebook
(File → Download) before you close the tab.

**On a JupyterHub**: your instructor installs this kit on the hub, or you open a terminal in JupyterLab,
go to this folder and run `pip install --user -r requirements.txt .`; then restart the kernel.

The explorers also run as a code-free app: from this folder, `.venv/bin/voila explorers/` (then pick a
notebook); it reads `voila.json` here, so the page loads nothing from the internet.

## How to work

Open the notebooks in order, starting with `01_zero_padding/01_zero_padding.ipynb`. In each exercise,
replace `raise NotImplementedError()` with the body of the function, down to its `return`, and run the
test cell below it: it prints a message when your function passes the visible tests. Test cells that show
only a comment (`# Hidden tests ...`) are empty in your copy and print nothing: they are filled in and run
when your notebook is graded, with more cases than the visible tests. Do not rename the functions or
change their arguments, and do not edit the test cells.

To submit, hand in the notebook file itself (`NN_topic.ipynb`), as your instructor tells you.
"""

GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n.ipynb_checkpoints/\n*.egg-info/\nbuild/\n"

POSTBUILD = """#!/bin/bash
# Binder (repo2docker) runs this after installing environment.yml: install the course package.
set -e
python -m pip install --no-deps .
"""


def _released(course, upto):
    names = course.assignments()
    if upto is not None:
        names = [a for a in names if int(a[:2]) <= int(upto)]
        if not names:
            raise CourseError(f"--upto {upto}: no assignment is numbered {upto} or lower")
    missing = [a for a in names if not course.notebook(course.release, a).exists()]
    if missing:
        raise CourseError(f"release/ has no notebook for {', '.join(missing)}: run `python3 -m convstep release`")
    return names


def _functions(course, assignment):
    return [grade_id(c) for c in read_notebook(course.notebook(course.release, assignment)).cells if is_solution(c)]


def _pyproject(packages, template_files):
    return f"""# The course's helper package, as students need it (built by `python3 -m convstep student-kit`).
# Its dependencies are pinned in requirements.txt / environment.yml.
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "convstep"
version = "{__import__('convstep').__version__}"
description = "ConvNets Step by Step, student kit: sample images, explorers and test helpers"
requires-python = ">=3.11"

[tool.setuptools]
packages = {json.dumps(sorted(packages))}

[tool.setuptools.data-files]
"etc/jupyter/jupyter_server_config.d" = ["{SERVER_CONFIG_FILE}"]
"share/jupyter/voila/templates/convstep" = {json.dumps(template_files)}
"""


def build(dest, upto=None, root=ROOT, git=True):
    """Write the student kit into ``dest`` (which must not exist or be empty); return a summary dict."""
    course = Course(root)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise CourseError(f"{dest} is not empty: the kit is built into a new folder")
    assignments = _released(course, upto)
    explorers = sorted(Path(root, "notebooks").glob("*.ipynb"))
    notebooks = [course.notebook(course.release, a) for a in assignments] + explorers
    modules, third_party = package_closure(notebooks, root, also=[SERVER_EXTENSION])
    pins = kit_pins(third_party, root)

    dest.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        shutil.copytree(course.release / assignment, dest / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    (dest / "explorers").mkdir()
    for path in explorers:
        shutil.copy(path, dest / "explorers" / path.name)
    for name, file in modules.items():
        target = dest / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, target)
    packages = [name for name, file in modules.items() if file.name == "__init__.py"]

    width = max(len(f"{d}=={v}") for d, v, _ in pins)
    (dest / "requirements.txt").write_text(
        "# Pinned like the course's own environment, so that your numbers match the grader's.\n"
        + "".join(f"{f'{d}=={v}':{width}}  # {c}\n" if c else f"{d}=={v}\n" for d, v, c in pins))
    env = "convnets-step-by-step"
    (dest / "environment.yml").write_text(
        f"# Conda / Binder environment of the student kit; the same pins as requirements.txt.\nname: {env}\n"
        "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        + "".join(f"      - {f'{d}=={v}':{width}}  # {c}\n" if c else f"      - {d}=={v}\n" for d, v, c in pins))
    shutil.copy(Path(root, VOILA_CONFIG), dest / VOILA_CONFIG)
    shutil.copytree(Path(root, VOILA_TEMPLATE), dest / VOILA_TEMPLATE_FILES)
    template_files = sorted(f"{VOILA_TEMPLATE_FILES}/{p.name}" for p in (dest / VOILA_TEMPLATE_FILES).iterdir())
    (dest / "pyproject.toml").write_text(_pyproject(packages, template_files))
    (dest / SERVER_CONFIG_FILE).parent.mkdir(parents=True)
    (dest / SERVER_CONFIG_FILE).write_text(json.dumps(SERVER_CONFIG, indent=2) + "\n")
    (dest / "postBuild").write_text(POSTBUILD)
    (dest / "postBuild").chmod(0o755)
    (dest / ".gitignore").write_text(GITIGNORE)
    table = "\n".join(f"| `{a}/{a}.ipynb` | {', '.join(f'`{n}`' for n in _functions(course, a))} |"
                      for a in assignments)
    (dest / "README.md").write_text(README.format(title="ConvNets Step by Step", table=table, env=env))

    committed = False
    if git and shutil.which("git"):
        run = lambda *args: subprocess.run(["git", "-c", "user.name=convstep", "-c", "user.email=convstep@localhost",
                                            *args], cwd=dest, check=True, capture_output=True)
        run("init", "-q", "-b", "main")
        run("add", "-A")
        run("commit", "-q", "-m", f"Student kit: {', '.join(assignments)}")
        committed = True
    return {"path": str(dest), "assignments": assignments, "explorers": [p.name for p in explorers],
            "modules": sorted(modules), "requirements": [f"{d}=={v}" for d, v, _ in pins], "git": committed}
