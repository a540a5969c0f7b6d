"""The grading service: ``nbgrader autograde`` in the sandbox for an instructor whose server cannot make one.

An instructor's server runs as the instructor. The sandbox gives every kernel a cgroup of its own,
and on cgroup v1 (or v2 without a delegated subtree) only root can make one. This JupyterHub
service runs as root and does only what needs root: for each request it makes a cgroup for the
job, hands it to the instructor (its folder and the files that admit processes: the instructor
may create cgroups inside it, not change the job's own), and starts, inside it and *as the
instructor*, the same ``nbgrader autograde`` in their course folder with their configuration.
There ``convstep.sandbox.cgroup`` finds the delegated subtree and every kernel gets its sandbox as
usual; nothing the instructor wrote runs as root, and no file is written with more rights than
theirs. The job's output comes back line by line (JSON lines: ``{"log": ...}``, then
``{"exit": code}``); a caller that goes away stops its job.

Who may ask is JupyterHub's to say: a token whose owner holds ``access:services!service=<name>``
(the hub gives it to its instructors' group); the job runs as that owner.
"""

import asyncio
import json
import logging
import os
import pwd
import signal
import sys
import uuid
from pathlib import Path

from jupyterhub.services.auth import HubAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError

from convstep.sandbox import cgroup

log = logging.getLogger("convstep.hub.service")
# What a request may say, and its type: the job's command line is built from these and nothing else.
FIELDS = {"course": str, "assignment": str, "student": str, "force": bool, "create": bool}
JOB_PREFIX = "grader-"
CONFIG_PATH = "CONVSTEP_HUB_CONFIG_PATH"   # the instructors' Jupyter configuration folder (set by the hub)


def parse(body):
    """The request's fields, checked; raises ValueError saying what is wrong."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        raise ValueError("the body is not JSON")
    if not isinstance(request, dict) or set(request) - set(FIELDS):
        raise ValueError(f"expected a JSON object with the fields {', '.join(FIELDS)}")
    for name, kind in FIELDS.items():
        if not isinstance(request.get(name), kind):
            raise ValueError(f"{name}: expected a {kind.__name__}")
    if not os.path.isabs(request["course"]):
        raise ValueError("course: expected the absolute path of the course folder")
    for name in ("assignment", "student"):
        if not request[name] or len(request[name]) > 200 or "/" in request[name]:
            raise ValueError(f"{name}: expected an nbgrader id")
    return request


def command(request):
    """``nbgrader autograde`` as the instructor asked for it."""
    return [sys.executable, "-m", "nbgrader", "autograde", request["assignment"],
            f"--CourseDirectory.student_id={request['student']}",
            f"--BaseConverter.force={request['force']}", f"--Autograde.create_student={request['create']}"]


def environment(account):
    """The job's environment: the instructor's own, as their server has it, less the service's URL
    (a job that cannot make its sandbox refuses instead of asking again)."""
    return {"HOME": account.pw_dir, "USER": account.pw_name, "LOGNAME": account.pw_name, "SHELL": account.pw_shell,
            "LANG": "C.UTF-8", "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": os.environ.get(CONFIG_PATH, "")}


# ---------------------------------------------------------------- the job's cgroup

def delegate(account):
    """Make a cgroup for one job and hand it to ``account``: [its folders] (one per v1 hierarchy)."""
    version, parents = cgroup.layout()
    if version is None:
        raise OSError(f"the grading service cannot make cgroups: {parents}")
    name = f"{JOB_PREFIX}{account.pw_name}-{uuid.uuid4().hex[:8]}"
    if version == "v1":
        folders = [parents[c] / name for c in cgroup.V1_HIERARCHIES]
    else:
        cgroup.Cgroup._prepare_v2(parents)          # the controllers, for the job's folder
        folders = [parents / name]
    for folder in folders:
        folder.mkdir(parents=True)
        # v1: tasks and cgroup.procs admit processes; v2 also needs the children's controllers.
        for path in [folder] + [folder / f for f in ("cgroup.procs", "tasks", "cgroup.subtree_control", "cgroup.threads")]:
            if path.exists():
                os.chown(path, account.pw_uid, account.pw_gid)
    return folders


def remove(folders):
    """Kill whatever the job left (its sandboxes' kernels included) and delete its cgroups."""
    for folder in folders:
        for _ in range(50):
            pids = set()
            for inner, _dirs, _files in os.walk(folder):
                try:
                    pids.update(int(p) for p in Path(inner, "cgroup.procs").read_text().split())
                except OSError:
                    pass
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for inner, _dirs, _files in os.walk(folder, topdown=False):
            try:
                os.rmdir(inner)
            except OSError as error:
                log.warning("could not remove the cgroup %s: %s", inner, error)


def sweep():
    """Remove job cgroups that a killed service left behind (rmdir refuses a busy one)."""
    version, parents = cgroup.layout()
    for parent in (parents.values() if version == "v1" else [parents] if version else []):
        for folder in Path(parent).glob(f"{JOB_PREFIX}*"):
            for inner, _dirs, _files in os.walk(folder, topdown=False):
                try:
                    os.rmdir(inner)
                except OSError:
                    pass


RUNNING = {}   # process -> its cgroup folders: what the service stops when it stops


async def run_job(request, account, write):
    """Run the job, passing each line of its output to ``write``; its exit code."""
    folders = delegate(account)
    # The first process enters the job's cgroup itself (its files are the instructor's now), then
    # becomes nbgrader: everything the job starts is inside from the start.
    enter = "set -e; " + "".join(
        f"echo $$ > '{folder / 'cgroup.procs'}'; " for folder in folders) + "exec \"$0\" \"$@\""
    process = await asyncio.create_subprocess_exec(
        "/bin/sh", "-c", enter, *command(request), cwd=request["course"], env=environment(account),
        user=account.pw_uid, group=account.pw_gid, extra_groups=os.getgrouplist(account.pw_name, account.pw_gid),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True)
    RUNNING[process] = folders
    try:
        async for line in process.stdout:
            await write(line.decode(errors="replace").rstrip("\n"))
        return await process.wait()
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        remove(RUNNING.pop(process))


class AutogradeHandler(HubAuthenticated, web.RequestHandler):
    """POST: grade as the caller asks, streaming the log; one job at a time per instructor."""

    locks = {}

    def check_xsrf_cookie(self):
        """Callers are programs with a token in the Authorization header, not browsers with cookies."""

    @web.authenticated
    async def post(self):
        try:
            request = parse(self.request.body)
        except ValueError as error:
            raise web.HTTPError(400, str(error))
        name = self.current_user["name"]
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            raise web.HTTPError(403, f"{name} has no account on this machine")
        self.set_header("Content-Type", "application/x-ndjson")

        async def write(text):
            self.write(json.dumps({"log": text}) + "\n")
            await self.flush()

        lock = self.locks.setdefault(name, asyncio.Lock())
        async with lock:
            log.info("autograde for %s: %s", name, command(request)[3:])
            try:
                code = await run_job(request, account, write)
            except StreamClosedError:
                log.info("the caller went away: the job of %s is stopped", name)
                return
            except OSError as error:
                await write(f"the grading service could not start the job: {error}")
                code = 1
            log.info("autograde for %s ended with %s", name, code)
            self.finish(json.dumps({"exit": code}) + "\n")


async def serve():
    """Serve until SIGTERM or SIGINT (JupyterHub stops its services so), then stop the jobs."""
    sweep()
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    app = web.Application([(url_path_join(prefix, "autograde"), AutogradeHandler)])
    url = os.environ["JUPYTERHUB_SERVICE_URL"]
    host, port = url.split("://", 1)[1].rstrip("/").rsplit(":", 1)
    server = HTTPServer(app)
    server.listen(int(port), host)
    log.info("grading service at %s", url)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    for process, folders in list(RUNNING.items()):
        os.killpg(process.pid, signal.SIGKILL)
        remove(folders)
    log.info("grading service stopped")


if __name__ == "__main__":
    logging.basicConfig(format="[%(asctime)s %(name)s] %(message)s", level=logging.INFO)
    asyncio.run(serve())
