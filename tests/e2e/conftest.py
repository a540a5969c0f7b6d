"""Real servers for the end-to-end tests: a PostgreSQL from Debian's package in a temporary folder,
Debian's Chromium driven by Playwright, and Voila, JupyterLab and Notebook 7 on localhost."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BIN = Path(sys.executable).parent
SERVER_START_S = 90      # a cold JupyterLab start on 2 cores takes ~10 s; more means it hung
TOKEN = "convstep-browser-test"

# Debian's Chromium with flags for a closed network (it refuses background connections);
# never `playwright install`.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL is not installed (Debian: apt-get install postgresql; "
                    "`python3 -m convstep test` installs it)")
    return found[-1]


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of its own (initdb + pg_ctl), listening only on a Unix socket in a temporary
    folder; yields a function giving the SQLAlchemy URL of a new, empty database."""
    folder = Path(tempfile.mkdtemp(prefix="convstep-postgres-"))  # not under pytest's 0700 folder
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    # PostgreSQL refuses to run as root: as root, the server belongs to nobody.
    user = {"user": "nobody"} if os.geteuid() == 0 else {}
    if user:
        shutil.chown(folder, "nobody")
        shutil.chown(sockets, "nobody")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, text=True, cwd=folder, **user)
    run(postgres_bin("initdb"), "-D", str(data), "--auth=trust", "--username=grader", "--no-sync")
    run(postgres_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "start",
        "-o", f"-c listen_addresses='' -k {sockets} -c fsync=off -c max_connections=100")

    def database(name):
        run(postgres_bin("createdb"), "-h", str(sockets), "-U", "grader", name)
        return f"postgresql+psycopg://grader@/{name}?host={sockets}"

    try:
        yield database
    finally:
        run(postgres_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop in this thread until it stops
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: these tests need Debian's browser. "
                    "Install it with `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# ----------------------------------------------------------------------------- servers


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(command, url, workdir, cwd=None, variables=None):
    """Run command (its own process group, so its kernels go with it) until url answers.

    cwd -- where to start it (default workdir); variables -- environment variables to set or
    replace (PATH of another environment). Yields the log path; on exit terminates the group, and
    kills it if it does not stop.
    """
    workdir = Path(workdir)
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(workdir / "config"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(workdir / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(variables or {})
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                cwd=cwd or workdir, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{command[0]} exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except urllib.error.HTTPError:
                break                       # it answers: an HTTP error status is still an answer
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not answer {url} within {SERVER_START_S} s:\n"
                                f"{log_path.read_text()}")
                time.sleep(0.3)
        yield log_path
    finally:
        _stop_group(proc, 15)


def _stop_group(proc, timeout):
    """Terminate the process group of ``proc``; kill it if ``proc`` has not exited within ``timeout`` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    """`voila notebooks/` (tree mode) from the repository root, as a learner starts it (so that
    voila.json is read); yields its base URL."""
    port = _free_port()
    workdir = tmp_path_factory.mktemp("voila")
    command = [str(BIN / "voila"), "notebooks", "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1"]
    with _server(command, f"http://127.0.0.1:{port}/", workdir, cwd=ROOT):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module", params=["lab", "notebook"])
def jupyter_app(request, tmp_path_factory):
    """`jupyter lab` or `jupyter notebook` on a temporary root holding copies of the notebooks."""
    port = _free_port()
    workdir = tmp_path_factory.mktemp(request.param)
    root = workdir / "root"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    command = [str(BIN / "jupyter"), request.param, "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
               f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:        # CI and containers run as root; Jupyter refuses that by default
        command.append("--allow-root")
    with _server(command, f"http://127.0.0.1:{port}/api/status", workdir):
        yield request.param, f"http://127.0.0.1:{port}"
