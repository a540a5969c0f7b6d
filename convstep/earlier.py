"""A learner's own functions, taken from their notebook of an earlier assignment.

Notebook 6 trains a network with the fast layers its learner wrote in notebook 5. Each assignment is
its own notebook, so those functions are not defined in notebook 6's kernel: they are read from the
learner's notebook 5 instead, by running the cells that define them in a fresh namespace.
"""

import json
from pathlib import Path


def _defines_code(cell):
    """Whether a cell belongs to what the functions need: nbgrader's answer cells (the learner's
    code) and its locked cells that are not tests (the imports and the provided functions)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and (meta.get("solution") or (meta.get("locked") and not meta.get("grade")))


def functions_from(notebook, names):
    """{name: function} for each of ``names`` that the notebook file ``notebook`` defines.

    Runs the notebook's answer cells and its locked setup and provided cells, in order, in a new
    namespace (not the caller's: nothing else of that notebook is run). A function that is still a
    stub is returned as it is (calling it raises NotImplementedError).
    Raises OSError if the file cannot be read, ValueError if it is not a notebook or one of those
    cells fails to run (the message names the cell).
    """
    path = Path(notebook)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a notebook ({error})") from None
    namespace = {"__name__": "__earlier__"}
    for number, cell in enumerate(cells):
        if not _defines_code(cell):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # IPython's magics and shell lines are not Python
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        name = cell["metadata"]["nbgrader"].get("grade_id", f"number {number}")
        try:
            exec(compile(code, f"{path.name}, cell {name}", "exec"), namespace)
        except Exception as error:  # the learner's code: report it, whatever it raised
            raise ValueError(f"cell {name} of {path} raised {type(error).__name__}: {error}") from None
    return {name: namespace[name] for name in names if callable(namespace.get(name))}
