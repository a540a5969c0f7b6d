"""``DeduplicateCells``: a duplicated test cell must not make a submission ungradable."""

from nbgrader.preprocessors import DeduplicateIds


class DeduplicateCells(DeduplicateIds):
    """nbgrader's DeduplicateIds, fixed: it empties a duplicate's nbgrader metadata, and with
    ``add_missing_cells`` OverwriteCells then fails on the empty dict (KeyError 'grade_id'), so a
    student who duplicated a test cell could not be graded at all. Drop the metadata instead: the
    copy runs as ordinary code and only the original is graded."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources
