"""The course's structure, read from the notebooks (no kernel): the fixed API, cells, test-cell rules,
the release holding no solution or hidden test, the pins."""

import ast
import re

from convstep import report
from convstep.notebooks import SOLUTION_MARKER as MARKER
from convstep.notebooks import HIDDEN_MARKER, grade_id, is_solution, marked_lines
from convstep.notebooks import read as read_notebook

API = {  # the fixed public API (shared/GUIDE.md), in teaching order, with the notebook defining it
    "zero_pad": ("01_zero_padding", "(X, pad)"),
    "conv_single_step": ("02_conv_forward", "(a_slice_prev, W, b)"),
    "conv_forward": ("02_conv_forward", "(A_prev, W, b, hparameters)"),
    "pool_forward": ("03_pool_forward", "(A_prev, hparameters, mode='max')"),
    "conv_backward": ("04_backprop", "(dZ, cache)"),
    "create_mask_from_window": ("04_backprop", "(x)"),
    "distribute_value": ("04_backprop", "(dz, shape)"),
    "pool_backward": ("04_backprop", "(dA, cache, mode='max')"),
    "conv_forward_fast": ("05_fast_layers", "(A_prev, W, b, hparameters)"),
    "conv_backward_fast": ("05_fast_layers", "(dZ, cache)"),
    "pool_forward_fast": ("05_fast_layers", "(A_prev, hparameters, mode='max')"),
    "pool_backward_fast": ("05_fast_layers", "(dA, cache, mode='max')"),
    "relu_forward": ("06_train_a_cnn", "(Z)"),
    "relu_backward": ("06_train_a_cnn", "(dA, cache)"),
    "affine_forward": ("06_train_a_cnn", "(A_prev, W, b)"),
    "affine_backward": ("06_train_a_cnn", "(dZ, cache)"),
    "softmax_loss": ("06_train_a_cnn", "(scores, y)"),
}


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
                defined[grade_id(cell)] = (assignment, signature(cell.source, grade_id(cell)))
    assert defined == API


def test_solution_markers_wrap_the_body_only(course):
    for assignment in course.assignments():
        for cell in code_cells(course, course.source, assignment):
            if is_solution(cell):
                lines = cell.source.splitlines()
                marks = [i for i, line in enumerate(lines) if MARKER.match(line)]
                assert len(marks) == 2, f"{grade_id(cell)}: one BEGIN and one END SOLUTION"
                assert lines[0].startswith("def ") and '"""' in lines[1], f"{grade_id(cell)}: def + docstring first"


def test_every_function_has_a_visible_and_hidden_graded_tests(course):
    for function, (assignment, _) in API.items():
        tests = [c for c in code_cells(course, course.source, assignment)
                 if grade_id(c) and report.owner(API, grade_id(c)) == function]
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
