"""``HideHiddenTests``: feedback shows each test's name, points and verdict, not its hidden code."""

from nbgrader.preprocessors import ClearHiddenTests

from convstep.notebooks import is_test

NOTE = "# (the code of this hidden test stays with your instructor)"


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, applied to the graded notebook of the feedback: the lines
    between the markers of each test cell become one note; the cell's description, its points
    and its output (the failure message) stay. Other cells are the student's own and untouched."""

    def preprocess_cell(self, cell, resources, cell_index):
        if is_test(cell) and self._remove_hidden_test_region(cell):
            cell.source = (cell.source.rstrip("\n") + "\n" + NOTE).lstrip("\n")
        return cell, resources
