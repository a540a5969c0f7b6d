"""Real servers for the end-to-end tests: a PostgreSQL from Debian's package in a temporary folder."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


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
