"""Real servers for the end-to-end tests: a PostgreSQL from Debian's package in a temporary folder, and
Debian's Chromium driven by Playwright."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Debian's Chromium with the flags of GUIDE.md (its closed network refuses background connections);
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
