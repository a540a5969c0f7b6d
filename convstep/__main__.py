"""Command line: ``python3 -m convstep <command>`` from the repository root.

Commands:
  demo      set up .venv if needed, build release/, grade the bundled sample class, print the scores
            (--no-sandbox: grade without the sandbox; student code then runs with your rights)
  release   sync provided code and regenerate release/ from source/
  report    score table with notes and the integrity report of the submissions graded so far
  student-kit DIR [--upto NN]
            write the students' folder (a git repository, Binder-ready) into DIR: the release notebooks
            up to NN, the explorers, the part of the package they import, pins and a README
  test      set up .venv and the system packages the tests need, then run pytest
  setup     only create/refresh .venv

Only the standard library is used until the project's virtual environment is running, so the first
command works on a fresh clone with nothing but Python 3.11.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".convstep-installed"
# Debian packages the tests use: the browser for the explorer tests, the sandbox for grading.
SYSTEM_PACKAGES = {"chromium": "/usr/bin/chromium", "bubblewrap": "/usr/bin/bwrap"}


def _say(message):
    print(f"[convstep] {message}", flush=True)


def _requirements_hash():
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv():
    """Create .venv and install the project (with test extras) unless it is already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"[convstep] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not VENV_PYTHON.exists():
        _say(f"creating {VENV.relative_to(ROOT)} ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not STAMP.exists() or STAMP.read_text() != _requirements_hash():
        _say("installing the course package and its pinned dependencies (a few minutes the first time) ...")
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(_requirements_hash())


def ensure_system_packages():
    """Install the Debian packages the tests need, or say exactly what to install."""
    missing = [pkg for pkg, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    apt = shutil.which("apt-get")
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if apt is None or sudo is None:
        sys.exit(f"[convstep] the tests need the Debian packages {', '.join(missing)}; "
                 f"install them with: sudo apt-get install -y {' '.join(missing)}")
    _say(f"installing Debian packages: {', '.join(missing)} ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + [apt, "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + [apt, "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def _kit_args(argv):
    """(DIR made absolute against the caller's directory, NN or None) from student-kit's arguments."""
    args = list(argv[1:])
    upto = args.pop(args.index("--upto") + 1) if "--upto" in args[:-1] else None
    args = [a for a in args if a != "--upto"]
    return (str(Path(args[0]).resolve()) if len(args) == 1 else None), upto


def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    if command not in ("demo", "release", "report", "test", "setup", "student-kit"):
        print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    if command == "student-kit":
        kit_dir, upto = _kit_args(argv)
        if kit_dir is None:
            print("usage: python3 -m convstep student-kit DIR [--upto NN]", file=sys.stderr)
            return 2
        argv = ["student-kit", kit_dir] + (["--upto", upto] if upto else [])
    if not in_venv():
        ensure_venv()
        if command == "setup":
            return 0
        # Continue inside the project's environment, where nbgrader and numpy are installed.
        os.chdir(ROOT)
        return subprocess.run([str(VENV_PYTHON), "-m", "convstep", *argv]).returncode

    os.chdir(ROOT)
    if command == "test":
        ensure_system_packages()
        code = subprocess.run([sys.executable, "-m", "pytest", *argv[1:]]).returncode
        if code == 5:
            print("[convstep] pytest collected no tests: treating that as a failure", file=sys.stderr)
            return 1
        return code

    from convstep.course import Course, CourseError  # needs nbgrader: only inside the environment

    try:
        if command == "release":
            Course().build_release()
        elif command == "report":
            Course().report()
        elif command == "demo":
            Course(sandbox="--no-sandbox" not in argv).demo()
        elif command == "student-kit":
            from convstep.studentkit import build

            kit_dir, upto = _kit_args(argv)
            kit = build(kit_dir, upto=upto)
            print(f"student kit in {kit['path']}: {', '.join(kit['assignments'])}; "
                  f"{len(kit['explorers'])} explorer notebooks; modules {', '.join(kit['modules'])}")
    except CourseError as error:
        print(f"[convstep] error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
