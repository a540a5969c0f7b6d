"""What a student's code tries, read from the code itself: one pass of an ``ast.NodeVisitor``.

Every cell a student wrote is parsed (IPython syntax included) and checked for attempts to patch
numpy, the test helpers, the code the course provides, builtins, ``sys.modules``, the grader's own
modules or IPython's cell and message machinery; for file access outside its folder; network;
processes; threads; frame inspection; dynamic code; exiting the kernel. The tests do not depend on
any of this (they never run in the student's kernel): the report says who tried, with cell and
line, beside what the sandbox saw at run time.
"""

import ast
import builtins
import re

WATCHED_MODULES = {"np", "numpy", "builtins", "__builtins__", "checks", "convstep", "testing", "npt"}
# Names the tests use from the global namespace.
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
# convstep modules a notebook imports; any other (the grading code, the wire) is the grader's.
STUDENT_MODULES = ("convstep.checks", "convstep.images", "convstep.explorers")
THREAD_FUNCTIONS = {"threading": {"Thread", "Timer"}, "_thread": {"start_new_thread", "start_new"},
                    "concurrent": {"ThreadPoolExecutor"}, "futures": {"ThreadPoolExecutor"}}
IPYTHON_NAMES = {"input_transformers_cleanup", "input_transformers_post", "ast_transformers", "register",
                 "run_cell", "run_cell_async", "shell_handlers", "do_execute", "events", "user_ns", "_ih", "In",
                 "set_custom_exc", "showtraceback", "session", "iopub_socket", "shell_stream"}
NETWORK_MODULES = {"socket", "urllib", "http", "requests", "ftplib", "smtplib", "asyncio"}
SAFE_MAGICS = {"matplotlib", "timeit", "time", "precision", "pprint", "who", "whos", "xmode", "config"}
SECRET_HINT = re.compile(r"source|release|gradebook|autograded|submitted|feedback|\.\.|^/")


def root_name(node):
    """The name at the root of an attribute/subscript chain: np in np.testing.assert_allclose."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def literal_strings(node):
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def to_python(code):
    """Cell source with IPython syntax (magics, !shell) turned into Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(code)
    except Exception:
        return code


class CodeScan(ast.NodeVisitor):
    """Collects (line, category, detail) for one cell; ``provided`` are the names of the functions
    the course gives the notebook (rebinding one is patching too)."""

    def __init__(self, provided=()):
        self.found = set()
        self.provided = set(provided)

    def add(self, node, category, detail):
        self.found.add((getattr(node, "lineno", None), category, detail))

    def targets(self, node, targets):
        for target in targets:
            for part in ast.walk(target) if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                if isinstance(part, (ast.Attribute, ast.Subscript)):
                    text = ast.unparse(part)
                    if root_name(part) in WATCHED_MODULES or text.startswith(("sys.modules", "globals()", "vars(")):
                        self.add(node, "patching", f"assigns {text}")
                    elif any(name in text for name in IPYTHON_NAMES) and "get_ipython" in ast.unparse(node):
                        self.add(node, "patching", f"changes IPython: {text}")
                elif isinstance(part, ast.Name) and part.id in TEST_NAMES and node.col_offset == 0:
                    self.add(node, "patching", f"rebinds {part.id}, which the tests use")
                elif isinstance(part, ast.Name) and part.id in self.provided and node.col_offset == 0:
                    self.add(node, "patching", f"rebinds {part.id}, which the course provides")
        self.generic_visit(node)

    def visit_Assign(self, node):
        self.targets(node, node.targets)

    def visit_AugAssign(self, node):
        self.targets(node, [node.target])

    visit_AnnAssign = visit_AugAssign

    def visit_Delete(self, node):
        self.targets(node, node.targets)

    def visit_FunctionDef(self, node):
        if node.col_offset == 0 and (node.name in TEST_NAMES or node.name in BUILTIN_NAMES):
            self.add(node, "patching", f"defines {node.name}, shadowing what the tests use")
        elif node.col_offset == 0 and node.name in self.provided:
            self.add(node, "patching", f"defines {node.name} again, which the course provides")
        self.generic_visit(node)

    visit_ClassDef = visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        root = root_name(node.func.value) if isinstance(node.func, ast.Attribute) else None
        text = ast.unparse(node.func)
        strings = literal_strings(node)
        if text.startswith("get_ipython().") and name in ("system", "getoutput"):
            self.add(node, "process", f"shell command {strings[:1]}")
        elif text.startswith("get_ipython().") and name in ("run_line_magic", "run_cell_magic") \
                and strings[:1] and strings[0] not in SAFE_MAGICS:
            self.add(node, "magic", f"%{' '.join(strings[:2])}")
        elif name in ("setattr", "delattr") and root is None and node.args \
                and root_name(node.args[0]) in WATCHED_MODULES | {"sys"}:
            self.add(node, "patching", f"{name}({ast.unparse(node.args[0])}, ...)")
        elif name in ("append", "insert", "extend", "register", "set_custom_exc") \
                and any(n in text for n in IPYTHON_NAMES):
            self.add(node, "patching", f"changes IPython's cell machinery: {text}(...)")
        elif (name == "open" and root is None) or name in PATH_METHODS or name in FILE_FUNCTIONS.get(root, ()):
            outside = " outside its folder" if any(SECRET_HINT.search(p) for p in strings) else ""
            self.add(node, "file", f"{text}({', '.join(map(repr, strings[:2]))}){outside}")
        elif name in PROCESS_FUNCTIONS.get(root, ()) or (root is None and name == "Popen"):
            self.add(node, "process", f"{text}(...)")
        elif name in THREAD_FUNCTIONS.get(root, ()) or (root is None and name == "Thread"):
            self.add(node, "threads", f"{text}(...) runs code beside the graded calls")
        elif (name in ("_exit", "abort") and root == "os") or (name == "exit" and root == "sys"):
            self.add(node, "exit", f"{text}(...) ends the kernel")
        elif name in ("exec", "eval", "compile", "__import__") and root is None:
            self.add(node, "dynamic code", f"{name}(...)")
        if name in FRAME_FUNCTIONS.get(root, ()):
            self.add(node, "frames", f"{text}(...) inspects the caller's frames")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in FRAME_ATTRIBUTES and not isinstance(node.ctx, ast.Store):
            self.add(node, "frames", f"reads .{node.attr}")
        self.generic_visit(node)

    def visit_Import(self, node):
        for module in [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]:
            top = module.split(".")[0]
            if top in NETWORK_MODULES:
                self.add(node, "network", f"imports {module}")
            elif top == "convstep" and not module.startswith(STUDENT_MODULES) and \
                    not (isinstance(node, ast.ImportFrom) and all(f"convstep.{a.name}".startswith(STUDENT_MODULES)
                                                                 for a in node.names)):
                self.add(node, "patching", f"imports the grader's code ({module})")
            elif top in ("ctypes", "cffi"):
                self.add(node, "native code", f"imports {module}")

    visit_ImportFrom = visit_Import


def scan_code(code, provided=()):
    """[(line, category, detail)] for one cell's code, in line order."""
    try:
        tree = ast.parse(to_python(code))
    except SyntaxError as error:
        return [(error.lineno, "unparsable", f"syntax error: {error.msg}")]
    scan = CodeScan(provided)
    scan.visit(tree)
    return sorted(scan.found, key=lambda f: (f[0] or 0, f[1], f[2]))
