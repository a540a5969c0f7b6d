"""The course's structure, read from the notebooks (no kernel): the fixed API, cells, test-cell rules,
the release holding no solution or hidden test, the pins."""

import ast
import re
import subprocess

from convstep import report
from convstep.notebooks import SOLUTION_MARKER as MARKER
from convstep.notebooks import HIDDEN_MARKER, grade_id, is_solution, marked_lines
from convstep.notebooks import read as read_notebook

# The table of README's "Who does what": | `01_zero_padding` | `zero_pad(X, pad)` |
README_ROW = re.compile(r"^\| `(\d\d_\w+)` \| (`.+`) \|$", re.M)


def graded_functions(course):
    """{function: (assignment, signature)} from the solution cells of source/, in teaching order:
    the one list of the course's graded functions."""
    found = {}
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if is_solution(cell):
                found[grade_id(cell)] = (assignment, signature(cell.source, grade_id(cell)))
    return found


def code_cells(course, folder, assignment):
    return [c for c in read_notebook(course.notebook(folder, assignment)).cells if c.cell_type == "code"]


def signature(code, name):
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return "(" + ast.unparse(node.args) + ")"
    return None


def test_each_function_is_defined_once_in_its_own_solution_cell(course):
    defined = {}
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if is_solution(cell):
                functions = [n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
                assert functions == [grade_id(cell)], f"{assignment}: solution cell {grade_id(cell)} defines {functions}"
                assert grade_id(cell) not in defined, f"{grade_id(cell)} defined in {defined.get(grade_id(cell))} and {assignment}"
                defined[grade_id(cell)] = assignment
    assert len(defined) >= len(course.assignments())  # every notebook has graded functions


def test_the_readme_lists_the_graded_functions_of_source(course):
    """README's table of notebooks and functions says what source/ defines, signatures included."""
    listed = {assignment: re.findall(r"`([^`]+)`", functions)
              for assignment, functions in README_ROW.findall((course.root / "README.md").read_text())}
    defined = {}
    for function, (assignment, arguments) in graded_functions(course).items():
        defined.setdefault(assignment, []).append(f"{function}{arguments}".replace("'", '"'))
    assert listed == defined


def test_solution_markers_wrap_the_body_only(course):
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if is_solution(cell):
                lines = cell.source.splitlines()
                marks = [i for i, line in enumerate(lines) if MARKER.match(line)]
                assert len(marks) == 2, f"{grade_id(cell)}: one BEGIN and one END SOLUTION"
                assert lines[0].startswith("def ") and '"""' in lines[1], f"{grade_id(cell)}: def + docstring first"


def test_every_function_has_a_visible_and_hidden_graded_tests(course):
    functions = graded_functions(course)
    for function, (assignment, _) in functions.items():
        tests = [c for c in code_cells(course, course.source, assignment)
                 if grade_id(c) and report.owner(functions, grade_id(c)) == function]
        visible = [c for c in tests if "BEGIN HIDDEN TESTS" not in c.source]
        hidden = [c for c in tests if "BEGIN HIDDEN TESTS" in c.source]
        assert len(visible) == 1 and hidden, f"{function}: {len(visible)} visible, {len(hidden)} hidden test cells"
        for cell in tests:
            meta = cell.metadata["nbgrader"]
            assert meta["grade"] and meta["locked"] and meta["points"] > 0, grade_id(cell)


def test_test_cells_end_with_a_statement_not_an_expression(course):
    """A trailing expression becomes the cell's score in nbgrader (a trailing False gives full marks)."""
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if cell.metadata.get("nbgrader", {}).get("grade"):
                last = ast.parse(cell.source).body[-1]
                is_print = isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and \
                    getattr(last.value.func, "id", None) == "print"
                assert is_print or not isinstance(last, ast.Expr), f"{grade_id(cell)} ends with an expression"


def test_widgets_are_skipped_under_nbgrader(course):
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if "explorer(" in cell.source:
                assert 'os.environ.get("NBGRADER_EXECUTION")' in cell.source, f"{assignment}: unguarded explorer"


def test_source_notebooks_are_committed_without_outputs(course):
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            assert cell.outputs == [] and cell.execution_count is None, f"{assignment}: cell {grade_id(cell)}"


def test_provided_code_matches_the_solutions(course):
    assert course.sync_provided(write=False) == []


def test_release_has_no_solution_and_no_hidden_test(course):
    for assignment in course.assignments():
        source_cells = code_cells(course, course.source, assignment)
        release_text = course.notebook(course.release, assignment).read_text()
        release_cells = {grade_id(c): c for c in code_cells(course, course.release, assignment)}
        release_lines = {line.strip() for c in read_notebook(course.notebook(course.release, assignment)).cells
                         for line in c.source.splitlines()}
        # lines that also appear outside hidden regions (imports shared with visible tests) are not secrets
        public = {line.strip() for c in source_cells for line in c.source.splitlines()
                  if line.strip() not in {h for h in marked_lines(c, HIDDEN_MARKER)}}
        for cell in source_cells:
            for line in marked_lines(cell, HIDDEN_MARKER):
                if line not in public:
                    assert line not in release_lines, f"{assignment}: hidden test line leaked: {line}"
            if is_solution(cell):
                stub = release_cells[grade_id(cell)].source
                assert "raise NotImplementedError()" in stub
                for line in marked_lines(cell, MARKER):
                    assert line not in [s.strip() for s in stub.splitlines()], \
                        f"{assignment}: solution line in the release stub of {grade_id(cell)}: {line}"
        assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)", release_text), assignment


def test_environment_yml_pins_match_pyproject(course):
    import tomllib

    project = tomllib.loads((course.root / "pyproject.toml").read_text())["project"]["dependencies"]
    pin = r"([\w-]+(?:\[[\w,]+\])?)==([\w.]+)"  # name[extras]==version
    pinned = dict(re.match(pin + "$", d).groups() for d in project)
    conda = dict(re.findall(r"^\s+- " + pin, (course.root / "environment.yml").read_text(), re.M))
    assert conda == pinned
    python = re.search(r"python=([\d.]+)", (course.root / "environment.yml").read_text()).group(1)
    assert python == "3.11"


def test_test_cells_define_nothing_later_student_cells_use(course):
    """Under autograde test cells run in the checker, not in the student's kernel: a name only a test
    cell defines does not exist there, so no later cell of the student's may need it."""
    import builtins
    import symtable

    for assignment in course.assignments():
        defined_by_tests, defined_elsewhere = set(), set(dir(builtins))
        for cell in code_cells(course, course.source, assignment):
            table = symtable.symtable(cell.source, grade_id(cell) or "cell", "exec")
            assigned = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
            if cell.metadata.get("nbgrader", {}).get("grade") and not is_solution(cell):
                defined_by_tests |= assigned - defined_elsewhere
                continue
            used = {s.get_name() for s in table.get_symbols() if s.is_referenced() and not s.is_assigned()
                    and not s.is_imported()}
            assert not used & defined_by_tests, f"{assignment}: {grade_id(cell)} uses {used & defined_by_tests}"
            defined_elsewhere |= assigned


def test_nothing_cites_a_file_outside_the_repository(course):
    """The repository is read on its own: no pointer to design notes or seeds that are not in it."""
    outside = re.compile("|".join([r"\bGUIDE" + r"\.md", r"\bSTYLE" + r"\.md", r"\.\./" + "shared",
                                   "/work/" + "shared", r"\bshared/(?:GUIDE|STYLE|seeds)"]))
    tracked = subprocess.run(["git", "ls-files"], cwd=course.root, capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        path = course.root / name
        if path.suffix in {".py", ".md", ".ipynb", ".toml", ".yml", ".yaml", ".cfg", ".txt", ".json", ""} \
                and path.is_file():
            found = outside.search(path.read_text(errors="replace"))
            assert found is None, f"{name} cites {found[0]!r}, which is not in the repository"
