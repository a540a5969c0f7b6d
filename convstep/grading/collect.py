"""``LMSFileNames``: ``nbgrader zip_collect`` for the submission downloads of common LMSs.

Each LMS names the files of its "download all submissions" zip in its own way; the student id is
the LMS's own (Canvas user id, Moodle participant id, Blackboard user name):

- Canvas:     ``doejane_123456_7654321_02_conv_forward.ipynb`` (user id 123456, file id 7654321;
  ``doejane_LATE_123456_...`` when Canvas counts it late, without saying when; a file uploaded
  again gets ``-1``, ``-2`` before the extension and a higher file id);
- Moodle:     ``Jane Doe_123456_assignsubmission_file_02_conv_forward.ipynb`` ("download in one
  folder"), or the notebook in a folder ``Jane Doe_123456_assignsubmission_file_/`` (Moodle 3) or
  ``Jane Doe_123456_assignsubmission_file/`` (Moodle 4), possibly in a subfolder of it. Moodle
  numbers participants per assignment. Its file names carry no time; its grading worksheet
  (``Download grading worksheet``) does: put it beside the zip, and its "Last modified
  (submission)" times become the submissions' timestamps;
- Blackboard: ``02_conv_forward_jdoe_attempt_2026-11-30-14-05-09_02_conv_forward.ipynb`` (the time
  of the attempt; beside a ``.txt`` receipt per attempt, which is not a submission).

When a download holds several files of one student for the same notebook (Canvas re-uploads,
Blackboard attempts, a browser's "(1)" copy), the latest is collected and the others are named in
the log; the collection goes on. Every decision is also written to ``downloaded/<assignment>/
collected.csv`` (file, LMS, student, notebook, Canvas's LATE flag, timestamp, collected or why not),
where the score table finds Canvas's LATE flags. A file that matches no pattern is not collected,
and the log names it and says why. Times in file names and in Moodle's worksheet are in
``LMSFileNames.timezone`` (the LMS's; UTC by default).
"""

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import dateutil.parser
import dateutil.tz
from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import List, Unicode, validate

# Each is searched in the file's path below the extracted folder, after a "/" or at its start.
PATTERNS = [
    # Canvas
    r"(?P<name>[^_/]+)_(?P<late>LATE_)?(?P<student_id>\d+)_(?P<order>\d+)_(?P<file_id>[^/]+)$",
    # Moodle, in folders (Moodle 3: "..._file_/", Moodle 4: "..._file/"), the notebook maybe in a subfolder
    r"(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_?/(?:[^/]+/)*(?P<file_id>[^/]+)$",
    # Moodle, in one folder
    r"(?P<name>[^_/]+)_(?P<student_id>\d+)_assignsubmission_file_(?P<file_id>[^/]+)$",
    # Blackboard
    r"[^/]+_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file_id>[^/]+)$",
]
LMS_NAMES = ["Canvas", "Moodle", "Moodle", "Blackboard"]
# "02_conv_forward-1.ipynb" (Canvas), "02_conv_forward (1).ipynb" (a browser's copy): the notebook itself.
COPY_SUFFIX = re.compile(r"(?:-(\d+)| \((\d+)\))(?=\.ipynb$)")
MANIFEST = "collected.csv"
MANIFEST_FIELDS = ["file", "lms", "student_id", "notebook", "late", "timestamp", "collected"]


@dataclass
class Found:
    """A notebook file of the download, as its name (and Moodle's worksheet) describes it."""

    path: str
    lms: str
    student_id: str
    file_id: str
    late: bool = False
    timestamp: str = ""   # "YYYY-MM-DD HH:MM:SS <time zone>", as nbgrader's parse_utc reads it
    order: tuple = ()     # what makes a later upload of the same notebook sort after an earlier one
    why_not: str = ""     # empty when collected


class LMSFileNames(FileNameCollectorPlugin):

    patterns = List(PATTERNS, help="Regular expressions with the named groups student_id and file_id "
                                   "(optionally timestamp, late and order), searched in order in each file's "
                                   "path below the extracted folder.").tag(config=True)

    timezone = Unicode("UTC", help="The time zone of the times in the LMS's file names and in Moodle's "
                                   "grading worksheet (a name like 'Europe/Paris').").tag(config=True)

    @validate("timezone")
    def _known_zone(self, proposal):
        if dateutil.tz.gettz(proposal["value"]) is None:
            raise ValueError(f"unknown time zone {proposal['value']!r} (use a name like 'Europe/Paris' or 'UTC')")
        return proposal["value"]

    _decisions = None

    def collect(self, submitted_file):
        if self._decisions is None:
            self._decisions = self.decide(self.extracted_folder())
            self.write_manifest()
        found = self._decisions.get(os.path.normpath(submitted_file))
        if found is None:
            if not submitted_file.endswith((".txt", ".csv")):  # Blackboard's receipts, Moodle's worksheet
                self.log.warning("not collected (not a notebook): %s", submitted_file)
            return None
        if found.why_not:
            self.log.warning("not collected (%s): %s", found.why_not, submitted_file)
            return None
        info = {"student_id": found.student_id, "file_id": found.file_id}
        if found.timestamp:
            info["timestamp"] = found.timestamp
        return info

    def extracted_folder(self):
        """The folder zip_collect extracted the download into (its own settings say where)."""
        app = self.parent
        return os.path.join(app.coursedir.root, app.collect_directory_structure).format(
            downloaded=app.downloaded_directory, assignment_id=app.coursedir.assignment_id,
            collect_step=app.extracted_directory)

    def decide(self, folder):
        """{path: Found} for every notebook file below ``folder``: which to collect, and why not the others."""
        paths = sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())
        times = self.worksheet_times([p for p in paths if p.endswith(".csv")])
        decisions = {}
        for path in (p for p in paths if os.path.splitext(p)[1] in self.valid_ext):
            decisions[os.path.normpath(path)] = self.describe(path, os.path.relpath(path, folder), times)
        latest = {}
        for found in decisions.values():
            if found.why_not:
                continue
            key = (found.student_id, found.file_id)
            if key in latest:
                earlier, later = sorted([latest[key], found], key=lambda f: f.order)
                earlier.why_not = f"{found.student_id} submitted {found.file_id} again, as {os.path.basename(later.path)}"
                found = later
            latest[key] = found
        return decisions

    def describe(self, path, relative, times):
        for pattern, lms in zip(self.patterns, LMS_NAMES):
            match = re.search(f"(?:^|/)(?:{pattern})", relative)
            if match:
                break
        else:
            return Found(path, "", "", "", why_not="its name matches no Canvas, Moodle or Blackboard pattern")
        groups = match.groupdict()
        copy = COPY_SUFFIX.search(groups["file_id"])
        timestamp = times.get(groups["student_id"], "") if lms == "Moodle" else ""
        if groups.get("timestamp"):
            day, clock = groups["timestamp"][:10], groups["timestamp"][11:].replace("-", ":")
            timestamp = f"{day} {clock} {self.timezone}"
        order = (timestamp, int(groups.get("order") or 0), int(next(filter(None, copy.groups()), 0)) if copy else 0)
        return Found(path, lms, groups["student_id"], COPY_SUFFIX.sub("", groups["file_id"]),
                     bool(groups.get("late")), timestamp, order)

    def worksheet_times(self, paths):
        """{participant id: time of the submission} from a Moodle grading worksheet among ``paths``."""
        times = {}
        for path in paths:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                rows = csv.DictReader(handle)
                if not {"Identifier", "Last modified (submission)"} <= set(rows.fieldnames or []):
                    continue
                for row in rows:
                    number = re.search(r"(\d+)\s*$", row["Identifier"] or "")
                    when = (row["Last modified (submission)"] or "").strip()
                    if number and when not in ("", "-"):
                        try:
                            parsed = dateutil.parser.parse(when)
                        except (ValueError, OverflowError):
                            self.log.warning("Moodle worksheet %s: %r is not a time", path, when)
                            continue
                        times[number[1]] = f"{parsed:%Y-%m-%d %H:%M:%S} {self.timezone}"
            self.log.info("Moodle grading worksheet %s: the times of %d submissions", path, len(times))
        return times

    def write_manifest(self):
        app = self.parent
        path = Path(app.coursedir.root) / app.downloaded_directory / app.coursedir.assignment_id / MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(MANIFEST_FIELDS)
            for found in self._decisions.values():
                writer.writerow([found.path, found.lms, found.student_id, found.file_id, "LATE" if found.late else "",
                                 found.timestamp, found.why_not or "yes"])


def flagged_late(root, assignment):
    """The students whose collected submission of ``assignment`` Canvas marked LATE (without a time)."""
    try:
        with open(Path(root) / "downloaded" / assignment / MANIFEST, newline="") as handle:
            return {row["student_id"] for row in csv.DictReader(handle)
                    if row.get("late") == "LATE" and row.get("collected") == "yes"}
    except (OSError, csv.Error, KeyError):
        return set()
