"""Integrity report: which submissions tamper with the tests or reach outside their folder.

Two sources, both naming the cell and the line:

- the code: every cell a student controls in the submitted notebook is parsed (IPython syntax
  included) and checked for patching numpy, its testing helpers, builtins, ``sys.modules`` or the
  course's test helpers; for file access outside the folder; network; processes; frame inspection;
  rewriting IPython's cell machinery; dynamic code; exiting the kernel;
- the run: what the sandbox's guard saw while grading (``integrity.json`` next to each autograded
  notebook): files opened outside the folder, connections, processes, and patches it had to undo.
"""

import ast
import builtins
import csv
import json
import re
from collections import Counter

from convstep.course import grade_id, is_solution, read_notebook

WATCHED_MODULES = {"np", "numpy", "builtins", "__builtins__", "checks", "convstep", "testing", "npt"}
# Names the tests use from the global namespace: rebinding them changes what the tests do.
TEST_NAMES = {"np", "call", "unpack", "check_shape", "check_scalar", "check_close", "check_equal",
              "check_unchanged", "numerical_gradient", "agrees"}
BUILTIN_NAMES = set(dir(builtins))
PATH_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "rglob"}  # on any object
FILE_FUNCTIONS = {"os": {"open", "listdir", "scandir", "walk", "remove", "unlink", "rename", "replace", "chmod",
                         "rmdir", "makedirs", "truncate"},
                  "shutil": {"rmtree", "copy", "copyfile", "copytree", "move"},
                  "glob": {"glob", "iglob"}, "io": {"open"}, "pickle": {"load"},
                  "np": {"load", "loadtxt", "genfromtxt", "fromfile", "save", "savetxt"},
                  "numpy": {"load", "loadtxt", "genfromtxt", "fromfile", "save", "savetxt"}}
PROCESS_FUNCTIONS = {"os": {"system", "popen", "fork", "forkpty", "execv", "execve", "execvp", "spawnv",
                            "posix_spawn", "kill", "killpg"},
                     "subprocess": {"Popen", "run", "call", "check_output", "check_call"},
                     "pty": {"fork", "spawn"}, "multiprocessing": {"Process", "Pool"}}
FRAME_FUNCTIONS = {"sys": {"_getframe", "_current_frames"}, "inspect": {"currentframe", "stack", "getouterframes"},
                   "gc": {"get_objects", "get_referrers"}, "traceback": {"extract_stack", "walk_stack"}}
FRAME_ATTRIBUTES = {"f_back", "f_locals", "f_globals", "tb_frame", "gi_frame", "cr_frame"}
IPYTHON_NAMES = {"input_transformers_cleanup", "input_transformers_post", "ast_transformers", "register",
                 "run_cell", "run_cell_async", "shell_handlers", "do_execute", "events", "user_ns", "_ih", "In"}
NETWORK_MODULES = {"socket", "urllib", "http", "requests", "ftplib", "smtplib", "asyncio"}
SAFE_MAGICS = {"matplotlib", "timeit", "time", "precision", "pprint", "who", "whos", "xmode", "config"}
SECRET_HINT = re.compile(r"source|release|gradebook|autograded|submitted|feedback|\.\.|^/")


def root_name(node):
    """The name at the root of an attribute/subscript chain: np in np.testing.assert_allclose."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def dotted(node):
    try:
        return ast.unparse(node)
    except Exception:
        return "?"


def literal_strings(node):
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def to_python(code):
    """Cell source with IPython syntax (magics, !shell) turned into Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(code)
    except Exception:
        return code


def scan_code(code):
    """[(line, category, detail)] for one cell's code."""
    try:
        tree = ast.parse(to_python(code))
    except SyntaxError as error:
        return [(error.lineno, "unparsable", f"syntax error: {error.msg}")]
    found = []

    def add(node, category, detail):
        found.append((getattr(node, "lineno", None), category, detail))

    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            for part in ast.walk(target) if isinstance(target, ast.Tuple) else [target]:
                if isinstance(part, (ast.Attribute, ast.Subscript)):
                    root = root_name(part)
                    text = dotted(part)
                    if root in WATCHED_MODULES or text.startswith(("sys.modules", "globals()", "vars(")):
                        add(node, "patching", f"assigns {text}")
                    elif any(name in text for name in IPYTHON_NAMES) and "get_ipython" in dotted(node):
                        add(node, "patching", f"changes IPython: {text}")
                elif isinstance(part, ast.Name) and part.id in TEST_NAMES and node.col_offset == 0:
                    add(node, "patching", f"rebinds {part.id}, which the tests use")
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.col_offset == 0 and \
                (node.name in TEST_NAMES or node.name in BUILTIN_NAMES):
            add(node, "patching", f"defines {node.name}, shadowing what the tests use")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            root = root_name(node.func.value) if isinstance(node.func, ast.Attribute) else None
            text = dotted(node.func)
            if text.startswith("get_ipython()."):
                if name in ("system", "getoutput"):
                    add(node, "process", f"shell command {literal_strings(node)[:1]}")
                elif name in ("run_line_magic", "run_cell_magic") and literal_strings(node)[:1] and \
                        literal_strings(node)[0] not in SAFE_MAGICS:
                    add(node, "magic", f"%{' '.join(literal_strings(node)[:2])}")
            if name in ("setattr", "delattr") and root is None and node.args and root_name(node.args[0]) in WATCHED_MODULES | {"sys"}:
                add(node, "patching", f"{name}({dotted(node.args[0])}, ...)")
            elif name in ("append", "insert", "extend", "register") and any(n in text for n in IPYTHON_NAMES):
                add(node, "patching", f"changes IPython's cell machinery: {text}(...)")
            elif (name == "open" and root is None) or name in PATH_METHODS or \
                    name in FILE_FUNCTIONS.get(root, ()):
                paths = literal_strings(node)
                worrying = [p for p in paths if SECRET_HINT.search(p)]
                add(node, "file", f"{text}({', '.join(map(repr, paths[:2]))})" + (" outside its folder" if worrying else ""))
            elif name in PROCESS_FUNCTIONS.get(root, ()) or (root is None and name == "Popen"):
                add(node, "process", f"{text}(...)")
            elif name in ("_exit", "abort") and root == "os" or name == "exit" and root == "sys":
                add(node, "exit", f"{text}(...) ends the kernel")
            elif name in ("exec", "eval", "compile", "__import__") and root is None:
                add(node, "dynamic code", f"{name}(...)")
            elif name in ("get_ipython",) and not node.args:
                pass  # on its own harmless; what it is used for is checked above
            if name in FRAME_FUNCTIONS.get(root, ()):
                add(node, "frames", f"{text}(...) inspects the caller's frames")
        if isinstance(node, ast.Attribute) and node.attr in FRAME_ATTRIBUTES and not isinstance(node.ctx, ast.Store):
            add(node, "frames", f"reads .{node.attr}")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                top = module.split(".")[0]
                if top in NETWORK_MODULES:
                    add(node, "network", f"imports {module}")
                elif top in ("ctypes", "cffi"):
                    add(node, "native code", f"imports {module}")
    # one finding per (line, category, detail)
    return sorted(set(found), key=lambda f: (f[0] or 0, f[1], f[2]))


def student_cells(course, student, assignment):
    """(label, code) for each cell the student wrote: solutions, edited and added cells.

    Locked cells are replaced by nbgrader before grading, and cells left exactly as released are
    the instructor's code, so neither is the student's.
    """
    path = course.notebook(course.submitted / student, assignment)
    if not path.exists():
        return None
    released = read_notebook(course.notebook(course.release, assignment)).cells
    locked = {grade_id(c) for c in released if c.metadata.get("nbgrader", {}).get("locked")}
    untouched = {c.source for c in released if c.cell_type == "code" and not is_solution(c)}
    cells = []
    for index, cell in enumerate(read_notebook(path).cells):
        if cell.cell_type != "code" or grade_id(cell) in locked or cell.source in untouched:
            continue
        cells.append((grade_id(cell) or f"cell {index + 1}", cell.source))
    return cells


def findings(course, student, assignment):
    """Rows of the report for one submission: dicts with cell, line, category, detail, seen."""
    rows = []
    try:
        cells = student_cells(course, student, assignment)
    except Exception as error:  # a corrupted notebook is reported in the score table instead
        cells = None
        rows.append({"cell": "", "line": "", "category": "unreadable", "detail": str(error)[:200], "seen": "code"})
    for label, code in cells or []:
        for line, category, detail in scan_code(code):
            rows.append({"cell": label, "line": line or "", "category": category, "detail": detail, "seen": "code"})
    side = course.autograded / student / assignment / "integrity.json"
    if side.exists():
        data = json.loads(side.read_text())
        graded = read_notebook(course.notebook(course.autograded / student, assignment))
        for record in data.get("runtime", []):
            index = record.get("cell")
            label = (grade_id(graded.cells[index]) or f"cell {index + 1}") if isinstance(index, int) \
                and index < len(graded.cells) else "?"
            detail = record.get("detail") or ""
            if record.get("event") and record.get("category") != "patching":
                detail = f"{record['event']}({detail})"
            rows.append({"cell": label, "line": record.get("line") or "", "category": record.get("category", "?"),
                         "detail": detail, "seen": "run"})
    # The same event from the same line (a loop) is one finding, with how often it happened.
    unique = []
    for key, count in Counter(tuple(row.items()) for row in rows).items():
        row = dict(key, student=student, assignment=assignment)
        if count > 1:
            row["detail"] += f" (x{count})"
        unique.append(row)
    return unique


def report(course, students):
    rows = []
    for student in students:
        for assignment in course.assignments():
            if (course.submitted / student / assignment).exists():
                rows += findings(course, student, assignment)
    return rows


FIELDS = ["student", "assignment", "cell", "line", "category", "detail", "seen"]


def write_csv(rows, path):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def format_report(rows):
    if not rows:
        return "No integrity findings."
    lines = [f"{len(rows)} integrity findings in {len({(r['student'], r['assignment']) for r in rows})} submissions:"]
    for row in rows:
        where = f"{row['cell']}" + (f", line {row['line']}" if row["line"] != "" else "")
        lines.append(f"  {row['student']:12s} {row['assignment'][:2]}  {where:32s} {row['category']:12s} "
                     f"{row['detail'][:90]}  [{row['seen']}]")
    return "\n".join(lines)
