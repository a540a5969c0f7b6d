"""``SanitizeCells``: the gradebook, not the submitted notebook, says what each cell is.

A student can edit a cell's nbgrader metadata as easily as its code. Before nbgrader reads it:

- a cell whose id the gradebook does not know loses its nbgrader metadata: it is the student's own
  code (nbgrader would keep ``grade: true`` on it and then fail the whole notebook on the missing id);
- a cell it knows gets the gradebook's flags back (grade, solution, task, locked, points, schema
  version), so a test cell turned into an "answer" is a test again and OverwriteCells restores it;
- a duplicated cell keeps no nbgrader metadata (nbgrader 0.9.6's DeduplicateIds leaves ``{}``, on
  which OverwriteCells with ``add_missing_cells`` fails with KeyError 'grade_id'): the copy runs as
  ordinary code and only the original is graded.
"""

from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import SCHEMA_VERSION
from nbgrader.preprocessors import DeduplicateIds


class SanitizeCells(DeduplicateIds):

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:  # as nbgrader's OverwriteCells opens it
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            grades = {cell.name: cell.max_score for cell in notebook.grade_cells}
            answers = {cell.name for cell in notebook.solution_cells}
            tasks = {cell.name for cell in notebook.task_cells}
            self.known = {cell.name: {"grade_id": cell.name, "grade": cell.name in grades,
                                      "solution": cell.name in answers, "task": cell.name in tasks,
                                      "locked": cell.locked, "schema_version": SCHEMA_VERSION,
                                      **({"points": grades[cell.name]} if cell.name in grades else {})}
                          for cell in notebook.source_cells}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            return cell, resources
        if not isinstance(meta, dict) or meta.get("grade_id") not in self.known:
            del cell.metadata["nbgrader"]
        else:
            cell.metadata["nbgrader"] = dict(self.known[meta["grade_id"]])
        return cell, resources
