"""Before the project's virtual environment exists: create it, and install the system packages.

Standard library only, so that the first command works on a fresh clone with nothing but Python 3.11.
"""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".convstep-installed"
VOILA_TEMPLATE = ROOT / "convstep" / "explorers" / "voila_template"
# JupyterLab and Notebook 7 load convstep.websocket as a server extension (Voila reads voila.json).
SERVER_CONFIG = {"ServerApp": {"jpserver_extensions": {"convstep.websocket": True}}}
# Debian packages (name: a file that shows it is installed), by what needs them: the sandbox for
# grading; the browser for the explorer tests, a PostgreSQL server for the gradebook tests, and qemu
# with Debian's kernel and a static busybox for the guest of the cgroup v2 test (tests/vm.py).
SANDBOX_PACKAGES = {"bubblewrap": "/usr/bin/bwrap"}
# `convstep hub`: Node.js runs JupyterHub's proxy; PAM checks the accounts' passwords (useradd, chpasswd).
# The accounts' Python environment is made from the system's Python (python3-venv).
HUB_PACKAGES = {**SANDBOX_PACKAGES, "nodejs": "/usr/bin/node", "npm": "/usr/bin/npm", "passwd": "/usr/sbin/useradd",
                "python3-venv": "/usr/lib/python3*/ensurepip/__init__.py"}
TEST_PACKAGES = {**HUB_PACKAGES, "chromium": "/usr/bin/chromium", "postgresql": "/usr/lib/postgresql/*/bin/initdb",
                 "qemu-system-x86": "/usr/bin/qemu-system-x86_64", "linux-image-amd64": "/boot/vmlinuz-*",
                 "busybox-static": "/bin/busybox"}
# JupyterHub's default proxy, from npm into .venv (bin/configurable-http-proxy); 5.x is the line
# JupyterHub 6 documents and tests against.
PROXY = "configurable-http-proxy@5.3.0"


def say(message):
    print(f"[convstep] {message}", flush=True)


def _requirements_hash():
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv():
    """Create .venv and install the project (with test extras) unless it is already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"[convstep] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not VENV_PYTHON.exists():
        say(f"creating {VENV.relative_to(ROOT)} ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not STAMP.exists() or STAMP.read_text() != _requirements_hash():
        say("installing the course package and its pinned dependencies (a few minutes the first time) ...")
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(_requirements_hash())
    install_jupyter_files(VENV)


def install_jupyter_files(prefix):
    """Put what the explorers' servers need on the Jupyter paths of the environment at ``prefix``:
    the explorers' Voila template (voila.json names it; Voila looks only on the data path), and the
    server extension that turns Nagle's algorithm off on kernel websockets (convstep.websocket)."""
    config = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "convstep.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(SERVER_CONFIG, indent=2) + "\n")
    link = Path(prefix) / "share" / "jupyter" / "voila" / "templates" / "convstep"
    if link.is_symlink() and link.resolve() == VOILA_TEMPLATE:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():
        link.unlink()
    link.symlink_to(VOILA_TEMPLATE, target_is_directory=True)


def ensure_system_packages(packages):
    """Install the missing Debian ``packages`` ({name: file it provides}), or exit saying the line to run."""
    missing = [name for name, path in packages.items() if not glob.glob(path)]
    if not missing:
        return
    apt = shutil.which("apt-get")
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if apt is None or sudo is None:
        sys.exit(f"[convstep] this needs the Debian packages {', '.join(missing)}; "
                 f"install them with: sudo apt-get install -y {' '.join(missing)}")
    say(f"installing Debian packages: {', '.join(missing)} ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + [apt, "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + [apt, "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def ensure_shared_venv(env):
    """A virtual environment every user can run, at ``env``, with this project installed: the hub's
    accounts run their servers and grading from it. .venv will not do: it is made from the Python
    that runs this command, which may live where other users cannot go (pyenv under /root). This one
    is made from the system's Python and holds a copy of this checkout's package, installed anew
    each time (a few seconds), so that it is the package as it is now; its path to Python."""
    python = Path(env) / "bin" / "python"
    stamp = Path(env) / ".convstep-installed"
    if not python.exists():
        say(f"creating {env}, the environment of the hub's accounts ...")
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(env)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not stamp.exists() or stamp.read_text() != _requirements_hash():
        say(f"installing the course package and its pinned dependencies into {env} (a few minutes the first time) ...")
        subprocess.run(pip + [str(ROOT)], check=True)
        stamp.write_text(_requirements_hash())
    else:
        subprocess.run(pip + ["--no-deps", "--force-reinstall", str(ROOT)], check=True)
    install_jupyter_files(env)
    return python


def ensure_proxy():
    """Install JupyterHub's proxy into .venv (npm's global layout under that prefix); its path."""
    proxy = VENV / "bin" / "configurable-http-proxy"
    version = VENV / "lib" / "node_modules" / "configurable-http-proxy" / "package.json"
    if not (proxy.exists() and version.exists()
            and json.loads(version.read_text())["version"] == PROXY.split("@")[1]):
        say(f"installing {PROXY} (npm) into {VENV.relative_to(ROOT)} ...")
        subprocess.run(["npm", "install", "--global", "--prefix", str(VENV), "--no-fund", "--no-audit",
                        "--loglevel=error", PROXY], check=True)
    return proxy


def run_in_venv(argv):
    """Run ``python -m convstep argv`` again inside the project's environment; its exit code."""
    ensure_venv()
    return subprocess.run([str(VENV_PYTHON), "-m", "convstep", *argv], cwd=ROOT).returncode
