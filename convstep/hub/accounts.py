"""The hub's people and folders: system accounts, the instructor's course, the exchange, the roster.

Accounts are local system users: JupyterHub checks their passwords with PAM and starts each server
as its user. An account this hub creates gets a random password, written to ``passwords`` (root
only); an account that already exists keeps its own. Homes are private (0700): one student cannot
read another's work or feedback.
"""

import csv
import os
import pwd
import re
import secrets
import subprocess
from pathlib import Path

from convstep.course import Course, CourseError

USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}$")   # what useradd accepts, and JupyterHub keeps as is
ROSTER_FIELDS = ["id", "first_name", "last_name", "email"]   # nbgrader db student import's columns


def read_roster(path):
    """[{id, first_name, last_name, email}] of a CSV roster; CourseError on a bad one."""
    try:
        with open(path, newline="") as file:
            rows = list(csv.DictReader(file))
    except OSError as error:
        raise CourseError(f"cannot read the roster {path}: {error}")
    if not rows or set(rows[0]) - set(ROSTER_FIELDS) or "id" not in rows[0]:
        raise CourseError(f"{path}: expected a CSV with a header {','.join(ROSTER_FIELDS)} and one student a line")
    for row in rows:
        check_name(row["id"], path)
    return [{field: (row.get(field) or "") for field in ROSTER_FIELDS} for row in rows]


def check_name(name, where):
    if not USER_NAME.match(name or ""):
        raise CourseError(f"{where}: {name!r} is not a valid account name (lower case letters, digits, - and _)")


def ensure_account(name, full_name, passwords):
    """Create the system user ``name`` if there is none; a new one's password goes into ``passwords``."""
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", full_name, name],
                   check=True, capture_output=True)
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    password = secrets.token_urlsafe(12)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)
    with open(os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as file:
        file.write(f"{name} {password}\n")


def read_passwords(passwords):
    """{account: password} of the accounts this hub created."""
    try:
        return dict(line.split(" ", 1) for line in Path(passwords).read_text().split("\n") if line)
    except FileNotFoundError:
        return {}


def as_user(name, command, cwd, python):
    """Run ``command`` as the account ``name``, in its own environment; CourseError if it fails."""
    account = pwd.getpwnam(name)
    env = {"HOME": account.pw_dir, "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
           "PATH": f"{Path(python).parent}:/usr/bin:/bin"}
    result = subprocess.run(command, cwd=cwd, env=env, user=account.pw_uid, group=account.pw_gid,
                            extra_groups=os.getgrouplist(name, account.pw_gid), capture_output=True, text=True)
    if result.returncode != 0:
        raise CourseError(f"{' '.join(command)} as {name} failed:\n{result.stdout}{result.stderr}")
    return result


def ensure_course(instructor, folder, roster_rows, python, course=None):
    """The instructor's course folder (this course's source/ and configuration, copied the first
    time), owned by them, with the roster's names in its gradebook (nbgrader of ``python``)."""
    account = pwd.getpwnam(instructor)
    folder = Path(account.pw_dir) / folder
    if not folder.exists():
        (course or Course()).copy_to(folder)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
    roster = folder / "roster.csv"
    with open(roster, "w", newline="") as file:
        writer = csv.DictWriter(file, ROSTER_FIELDS)
        writer.writeheader()
        writer.writerows(roster_rows)
    os.chown(roster, account.pw_uid, account.pw_gid)
    as_user(instructor, [str(python), "-m", "nbgrader", "db", "student", "import", "roster.csv"], cwd=folder, python=python)
    return folder


def ensure_exchange(root, course_id, instructor):
    """nbgrader's exchange: a root folder anyone may write in, sticky (nobody moves another's
    folder), and the course's folder made for the instructor before a student could take the name."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chown(root, 0, 0)
    os.chmod(root, 0o1777)
    course = root / course_id
    account = pwd.getpwnam(instructor)
    if not course.exists():
        course.mkdir()
        os.chown(course, account.pw_uid, account.pw_gid)
        os.chmod(course, 0o755)
    elif course.stat().st_uid != account.pw_uid:
        raise CourseError(f"{course} belongs to uid {course.stat().st_uid}, not to the instructor {instructor}: "
                          "remove it or use another --exchange")
    return root

