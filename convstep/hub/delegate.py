"""The instructor's side of the grading service: autograde through it when no sandbox can be made here.

On the hub an instructor's server (and the terminal in it) runs as the instructor, who cannot make
the sandbox's cgroups on this machine. ``SafeAutograde`` then sends the same request —
assignment, students, force, create — to the hub's grading service (``convstep.hub.service``),
which runs it in the sandbox as the instructor and streams the log back; formgrader's autograde
button and ``nbgrader autograde`` in a terminal both come here. Never a fallback without the
sandbox: with no service, grading refuses as it does anywhere else.
"""

import json
import os
import urllib.error
import urllib.request

from nbgrader.converters.base import NbGraderException

from convstep import sandbox
from convstep.grading.execute import SandboxedExecute

URL = "CONVSTEP_GRADING_SERVICE"   # the service's address, which the hub sets in its instructors' servers


def wanted(converter):
    """Whether this grading goes to the service: the sandbox is asked for, this process cannot make
    one, and the hub gave this server a grading service."""
    return (bool(os.environ.get(URL)) and SandboxedExecute(parent=converter).sandbox
            and sandbox.problem() is not None)


def grade(converter):
    """Run ``converter``'s autograde through the service, its log relayed; raise if it failed."""
    coursedir = converter.coursedir
    body = {"course": os.path.abspath(coursedir.root), "assignment": coursedir.assignment_id,
            "student": coursedir.student_id, "force": converter.force, "create": converter.create_student}
    request = urllib.request.Request(
        os.environ[URL].rstrip("/") + "/autograde", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                 "Content-Type": "application/json"})
    converter.log.info("No sandbox can be made in this server: grading through the hub's grading service (%s)",
                       os.environ[URL])
    code = None
    try:
        # No timeout: a class takes as long as it takes; closing the connection stops the job.
        with urllib.request.urlopen(request) as response:
            for line in response:
                message = json.loads(line)
                if "log" in message:
                    converter.log.info("[grading service] %s", message["log"])
                else:
                    code = message.get("exit")
    except urllib.error.HTTPError as error:
        raise NbGraderException(f"the grading service refused: {error.code} {error.reason}")
    except (OSError, ValueError) as error:
        raise NbGraderException(f"the grading service could not be reached or answered garbage: {error}")
    if code != 0:
        raise NbGraderException(f"autograde in the grading service failed (exit code {code}); see its log above")
