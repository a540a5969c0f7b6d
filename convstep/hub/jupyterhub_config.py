"""JupyterHub's configuration for `python3 -m convstep hub` (convstep.hub writes the settings it reads)."""

import json
import os
import sys
from pathlib import Path

settings = json.loads(Path(os.environ["CONVSTEP_HUB"]).read_text())
c = get_config()  # noqa: F821 -- injected by JupyterHub when it loads this file
bin_dir = Path(sys.executable).parent
instructor = settings["instructor"]
service_url = f"http://127.0.0.1:{settings['service_port']}"

# Everything on 127.0.0.1: the proxy (the address people open), the hub, the proxy's API, the service.
c.JupyterHub.bind_url = f"http://127.0.0.1:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.JupyterHub.db_url = f"sqlite:///{settings['private']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{settings['private']}/jupyterhub_cookie_secret"

# Local system accounts, passwords checked by PAM; only the course's people.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {instructor, *settings["students"]}
c.JupyterHub.load_groups = {settings["instructors"]: {"users": [instructor]}}

# Each server runs as its user, in their home, with JupyterLab and the Jupyter configuration of
# their role (nbgrader's extensions, the exchange, the instructor's course folder).
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 120       # a cold JupyterLab start with nbgrader's extensions on 2 busy cores


def is_instructor(spawner):
    return spawner.user.name == instructor


c.Spawner.environment = {
    "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",   # nbgrader shells out to alembic, beside Python
    "JUPYTER_CONFIG_PATH": lambda spawner: settings["config_path"]["instructor" if is_instructor(spawner) else "student"],
    "CONVSTEP_GRADING_SERVICE": lambda spawner: f"{service_url}/services/{settings['service']}" if is_instructor(spawner) else "",
}
# The instructor's server (and the terminal in it) may call the grading service with its token.
c.JupyterHub.load_roles = [{"name": "course-grading", "description": "autograde through the grading service",
                            "scopes": [f"access:services!service={settings['service']}"],
                            "groups": [settings["instructors"]]}]
c.Spawner.server_token_scopes = lambda spawner: (
    ["users:activity!user", "access:servers!server"]
    + ([f"access:services!service={settings['service']}"] if is_instructor(spawner) else []))

# The grading service runs as root (the hub's user): it makes the sandboxes' cgroups for the instructor.
c.JupyterHub.services = [{
    "name": settings["service"],
    "url": service_url,
    "command": [sys.executable, "-m", "convstep.hub.service"],
    "environment": {"CONVSTEP_HUB_CONFIG_PATH": settings["config_path"]["instructor"]},
    "display": False,
}]
