"""Notebook cells as the course reads them: nbgrader's own predicates, ids and the solutions."""

import ast
import re

import nbformat
from nbgrader.utils import is_grade, is_locked, is_solution  # noqa: F401 -- the one place they come from

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
HIDDEN_MARKER = re.compile(r"(BEGIN|END) HIDDEN TESTS")  # in a line, as nbgrader's ClearHiddenTests finds it


class NotebookError(ValueError):
    """A notebook that cannot be read; the message says which and why."""


def read(path):
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise NotebookError(f"missing notebook: {path}") from None
    except Exception as exc:  # nbformat raises several types for broken JSON / schema
        raise NotebookError(f"cannot read {path}: {exc}") from None


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    """A test cell: graded code the student does not write (nbgrader's "autograder tests")."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def label(cells, index):
    """How reports name a cell: its nbgrader id, else its position."""
    return grade_id(cells[index]) or f"cell {index + 1}" if 0 <= index < len(cells) else "?"


def solution_code(cell):
    """The instructor's solution cell as a student would have written it: markers removed."""
    return "\n".join(line for line in cell.source.splitlines() if not SOLUTION_MARKER.match(line))


def marked_lines(cell, marker):
    """The stripped, non-empty lines of ``cell`` between a BEGIN and an END line of ``marker``
    (SOLUTION_MARKER or HIDDEN_MARKER)."""
    inside, lines = False, []
    for line in cell.source.splitlines():
        found = marker.search(line)
        if found:
            inside = found[1] == "BEGIN"
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def defined_functions(code):
    """Names of the functions a cell defines at its top level."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
