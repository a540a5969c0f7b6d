"""A JupyterHub for the course on one machine, in one command: ``python3 -m convstep hub``.

What runs, all bound to 127.0.0.1 and all stopped with the hub (Ctrl-C or SIGTERM):

- JupyterHub (``jupyterhub_config.py`` beside this file), its proxy (configurable-http-proxy from
  npm, in .venv), PAM logins for local system accounts (``accounts``): one instructor and the
  students of a roster CSV;
- each person's JupyterLab, started as that person, with nbgrader's extensions enabled where each
  belongs: formgrader and Create Assignment for the instructor, the Assignments list for students
  (a Jupyter configuration folder per role, in the hub's state folder);
- nbgrader's exchange in a root folder made for it; the instructor's course folder (this course's
  source/ and nbgrader_config.py, copied into their home the first time) with the roster's names
  in its gradebook;
- the grading service (``service``), as root, which autogrades in the sandbox on the instructor's
  behalf (their server cannot make the sandbox's cgroups itself; ``delegate``).

The hub runs as root (it creates accounts and starts servers as other users). Its state — the
hub's database, cookie secret and the new accounts' passwords — stays in ``STATE/private`` (0700).
"""

import hashlib
import json
import os
import signal
import socket
import subprocess
from pathlib import Path

from convstep import bootstrap
from convstep.course import Course, CourseError
from convstep.hub import accounts

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
ROSTER = HERE / "roster.csv"
STATE = bootstrap.ROOT / ".hub"
# The accounts' Python environment (bootstrap.ensure_shared_venv), one per checkout.
ENV = Path("/opt/convstep") / f"hub-{hashlib.sha256(str(bootstrap.ROOT).encode()).hexdigest()[:8]}"
EXCHANGE = Path("/srv/nbgrader/exchange")
SERVICE = "grader"                # the grading service's name in JupyterHub
INSTRUCTORS = "instructors"       # JupyterHub's group of those the service grades for
SETTINGS = "CONVSTEP_HUB"         # the variable that tells jupyterhub_config.py where the settings are

# Which of nbgrader's server extensions and JupyterLab plugins each role gets.
EXTENSIONS = {
    "instructor": {"formgrader": True, "create-assignment": True, "assignment_list": False, "course_list": True},
    "student": {"formgrader": False, "create-assignment": False, "assignment_list": True, "course_list": False},
}
LAB_PLUGIN = {"formgrader": "formgrader", "create-assignment": "create-assignment",
              "assignment_list": "assignment-list", "course_list": "course-list"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def role_config(folder, role, exchange, course_id, course_folder):
    """Write the Jupyter configuration of a role: server extensions, JupyterLab plugins, nbgrader."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = EXTENSIONS[role]
    server = {f"nbgrader.server_extensions.{name}": on for name, on in chosen.items() if name != "create-assignment"}
    # Terminals run an interactive, not a login, shell: a login shell would reset PATH (/etc/profile)
    # and lose the environment's nbgrader.
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": server, "terminado_settings": {"shell_command": ["/bin/bash", "-i"]}}},
        indent=2))
    disabled = {f"@jupyter/nbgrader:{LAB_PLUGIN[name]}": True for name, on in chosen.items() if not on}
    (folder / "labconfig").mkdir(exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}, indent=2))
    lines = ["# Written by `python3 -m convstep hub`: nbgrader on this hub.", "c = get_config()  # noqa: F821",
             f"c.Exchange.root = {str(exchange)!r}", f"c.CourseDirectory.course_id = {course_id!r}"]
    if role == "instructor":   # formgrader and the terminal start in the home: the course is a folder in it
        lines += ["import os", f"c.CourseDirectory.root = os.path.expanduser('~/{course_folder}')",
                  "# formgrader's display of its configuration (a debugging aid) cannot show JupyterHub's: the",
                  "# single-user server configures classes (its identity provider), and JSON has none.",
                  "c.FormgradeExtension.debug = False"]
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def prepare(port=8000, state=STATE, exchange=EXCHANGE, instructor="instructor", roster=ROSTER):
    """Everything the hub needs before it starts; the settings jupyterhub_config.py reads."""
    if os.geteuid() != 0:
        raise CourseError("the hub creates accounts and starts servers as them: run it as root (sudo)")
    bootstrap.ensure_system_packages(bootstrap.HUB_PACKAGES)
    proxy = bootstrap.ensure_proxy()
    python = bootstrap.ensure_shared_venv(ENV)
    accounts.check_name(instructor, "--instructor")
    students = accounts.read_roster(roster)
    if instructor in {s["id"] for s in students}:
        raise CourseError(f"{instructor} is both the instructor and a student in {roster}")
    course = Course()
    course_id = course.config().CourseDirectory.course_id
    state, exchange = Path(state).resolve(), Path(exchange).resolve()
    private = state / "private"
    private.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    os.chmod(private, 0o700)
    passwords = private / "passwords"
    accounts.ensure_account(instructor, "Instructor", passwords)
    for student in students:
        accounts.ensure_account(student["id"], f"{student['first_name']} {student['last_name']}".strip(), passwords)
    course_folder = course_id
    accounts.ensure_exchange(exchange, course_id, instructor)
    accounts.ensure_course(instructor, course_folder, students, python, course)
    for role in EXTENSIONS:
        role_config(state / "jupyter" / role, role, exchange, course_id, course_folder)
    settings = {"port": port, "hub_port": free_port(), "proxy_api_port": free_port(), "service_port": free_port(),
                "proxy": str(proxy), "python": str(python), "state": str(state), "private": str(private),
                "instructor": instructor, "students": [s["id"] for s in students],
                "config_path": {role: str(state / "jupyter" / role) for role in EXTENSIONS},
                "service": SERVICE, "instructors": INSTRUCTORS}
    (private / "settings.json").write_text(json.dumps(settings, indent=2))
    return settings


def serve(**options):
    """Prepare, then run JupyterHub in the foreground until Ctrl-C or SIGTERM; its exit code."""
    settings = prepare(**options)
    created = accounts.read_passwords(Path(settings["private"]) / "passwords")
    print(f"[convstep] JupyterHub at http://127.0.0.1:{settings['port']}/ — instructor: {settings['instructor']}, "
          f"students: {', '.join(settings['students'])}", flush=True)
    if created:
        print(f"[convstep] passwords of the accounts this hub created: {Path(settings['private']) / 'passwords'}",
              flush=True)
    bin_dir = Path(settings["python"]).parent
    env = dict(os.environ, **{SETTINGS: str(Path(settings["private"]) / "settings.json")},
               PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("VIRTUAL_ENV", None)
    hub = subprocess.Popen([str(bin_dir / "jupyterhub"), "-f", str(CONFIG)],
                           cwd=settings["private"], env=env)
    # JupyterHub stops its proxy, its service and every server when it gets SIGTERM or SIGINT.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, frame: hub.send_signal(number))
    return hub.wait()
