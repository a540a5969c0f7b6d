"""``SafeAutograde``: nbgrader's Autograde converter, reading submissions through the intake.

nbgrader copies every file of a submission folder, following symbolic links, as the instructor:
a link to the gradebook or to ``source/`` would be copied into the graded folder and on into the
feedback. Here nbgrader never opens a submission folder: each one goes through
``convstep.grading.intake`` into a private folder first — only its notebooks, as plain files — and
nbgrader grades from there. A notebook that is not one nbgrader can grade is left out like a
missing one (scored zero, the reason in the score table) instead of stopping the batch.

nbgrader_config.py makes ``nbgrader autograde`` use this class (nbgrader has no option for the
converter's class: its app looks the name up in its own module when it starts).
"""

import glob
import os
import shutil
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde

from convstep import scratch
from convstep.grading import intake

INTAKE_PREFIX = "convstep-intake-"


class SafeAutograde(Autograde):

    def start(self):
        from convstep.hub import delegate

        if delegate.wanted(self):   # on the hub: the instructor's server cannot make the sandbox itself
            return delegate.grade(self)
        submitted = self.coursedir.submitted_directory
        private = scratch.folder(INTAKE_PREFIX)  # swept by the next run if this one is killed
        self.intakes = {}
        try:
            pattern = self.coursedir.format_path(submitted, self.coursedir.student_id, self.coursedir.assignment_id)
            for folder in sorted(glob.glob(pattern)):
                student, assignment = Path(folder).parent.name, Path(folder).name
                received = intake.inspect(folder, self._notebooks(assignment))
                self.intakes[student, assignment] = received
                intake.take(received, private / student / assignment)
            self.coursedir.submitted_directory = str(private)
            super().start()
        finally:
            self.coursedir.submitted_directory = submitted
            shutil.rmtree(private, ignore_errors=True)

    def _notebooks(self, assignment):
        """The notebook names of an assignment, as the gradebook knows them."""
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return [nb.name for nb in gb.find_assignment(assignment).notebooks]
            except MissingEntry:
                return []

    def init_single_notebook_resources(self, notebook_filename):
        resources = super().init_single_notebook_resources(notebook_filename)
        student, assignment = resources["nbgrader"]["student"], resources["nbgrader"]["assignment"]
        received = self.intakes.get((student, assignment), intake.Intake())
        source = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment)
        resources["convstep"] = {
            "data_dir": source,
            "source_notebook": os.path.join(source, f"{resources['nbgrader']['notebook']}.ipynb"),
            "ignored": received.ignored,
        }
        return resources
