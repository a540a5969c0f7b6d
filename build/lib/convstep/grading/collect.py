"""``LMSFileNames``: ``nbgrader zip_collect`` for the submission downloads of common LMSs.

Each LMS names the files of its "download all submissions" zip in its own way; the student id is
the LMS's own (Canvas user id, Moodle participant id, Blackboard user name):

- Canvas:     ``doejane_123456_7654321_02_conv_forward.ipynb`` (``doejane_LATE_123456_...`` when
  late; a resubmission's file gets ``-1``, ``-2`` before the extension);
- Moodle:     ``Jane Doe_123456_assignsubmission_file_02_conv_forward.ipynb``, or the same name as a
  folder holding the file ("download submissions in folders");
- Blackboard: ``02_conv_forward_jdoe_attempt_2026-11-30-14-05-09_02_conv_forward.ipynb`` (beside a
  ``.txt`` receipt per attempt, which is not a submission).

A file that matches none of them is not collected, and the log names it and says why.
"""

import os
import re

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import List

PATTERNS = [
    # Canvas
    r"^(?P<name>[^_/]+)_(?:LATE_)?(?P<student_id>\d+)_\d+_(?P<file_id>[^/]+)$",
    # Moodle, flat or in folders
    r"^(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_/?(?P<file_id>[^/]+)$",
    # Blackboard
    r"^.+_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file_id>[^/]+)$",
]
# "02_conv_forward-1.ipynb" (Canvas), "02_conv_forward (1).ipynb" (a browser's copy): the notebook itself.
COPY_SUFFIX = re.compile(r"(?:-\d+| \(\d+\))(?=\.ipynb$)")


class LMSFileNames(FileNameCollectorPlugin):

    patterns = List(PATTERNS, help="Regular expressions with the named groups student_id and file_id "
                                   "(optionally timestamp), tried in order on each file's path below the "
                                   "extracted folder (the Moodle folder and the file).").tag(config=True)

    def collect(self, submitted_file):
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            if not submitted_file.endswith(".txt"):  # Blackboard's receipts are expected
                self.log.warning("not collected (not a notebook): %s", submitted_file)
            return None
        tail = "/".join(submitted_file.split(os.sep)[-2:])  # the Moodle folder, if any, and the file
        for pattern in self.patterns:
            match = re.match(pattern, tail) or re.match(pattern, os.path.basename(submitted_file))
            if match:
                found = match.groupdict()
                info = {"student_id": found["student_id"], "file_id": COPY_SUFFIX.sub("", found["file_id"])}
                if found.get("timestamp"):
                    day, time = found["timestamp"][:10], found["timestamp"][11:].replace("-", ":")
                    info["timestamp"] = f"{day} {time}"
                return info
        self.log.warning("not collected (its name matches no Canvas, Moodle or Blackboard pattern): %s",
                         submitted_file)
        return None
