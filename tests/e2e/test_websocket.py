"""The kernel websocket of Voila, JupyterLab and Notebook 7 sends each message at once.

With Nagle's algorithm on (jupyter_server's and Voila's default), the burst of small messages that
answers a slider move waits for the browser's delayed ACK: up to 40 ms a move. The project's
settings (voila.json; the environment's jupyter_server_config.d, written by the set-up) select
convstep.websocket.NoDelayConnection. The test opens a kernel websocket on each real server and
reads TCP_NODELAY from the server's own end of that connection (pidfd_getfd, Linux 5.6+), so it
checks the setting as the server applied it, without timing anything.
"""

import asyncio
import ctypes
import json
import os
import re
import shutil
import socket
import stat
import urllib.request
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from test_browser import BIN, NOTEBOOKS, ROOT, TOKEN, _free_port, _server

SYS_PIDFD_GETFD = 438      # the same number on x86-64 and arm64


def _inode(local_port, remote_port):
    """Socket inode of the TCP connection 127.0.0.1:local_port <-> 127.0.0.1:remote_port."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        if (local, remote) == (local_port, remote_port):
            return fields[9]
    raise AssertionError(f"no TCP connection from port {local_port} to {remote_port}")


def _server_nodelay(server_port, client_port):
    """TCP_NODELAY of the server's end of the connection from client_port, read in the server."""
    target = f"socket:[{_inode(server_port, client_port)}]"
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue            # gone, or not ours
        for fd, link in fds.items():
            if link != target:
                continue
            pidfd = os.pidfd_open(int(pid))
            try:
                copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
            finally:
                os.close(pidfd)
            assert copy >= 0, f"pidfd_getfd: {os.strerror(ctypes.get_errno())}"
            assert stat.S_ISSOCK(os.fstat(copy).st_mode)
            with socket.socket(fileno=copy) as sock:
                return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    raise AssertionError(f"no process holds {target}")


async def _nodelay_of_kernel_websocket(port, kernel_id, query=""):
    conn = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels{query}")
    try:
        await asyncio.sleep(0.5)          # the server's open() has run once the kernel answered
        client_port = conn.protocol.stream.socket.getsockname()[1]
        return _server_nodelay(port, client_port)
    finally:
        conn.close()


def test_voila_kernel_websocket_has_nagle_off(tmp_path):
    port = _free_port()
    command = [str(BIN / "voila"), "notebooks", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    with _server(command, f"http://127.0.0.1:{port}/", tmp_path, cwd=ROOT):
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/render/index.ipynb",
                                      timeout=120).read().decode()
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)
        assert asyncio.run(_nodelay_of_kernel_websocket(port, kernel_id)) == 1


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_jupyter_kernel_websocket_has_nagle_off(app, tmp_path):
    port = _free_port()
    root = tmp_path / "root"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    command = [str(BIN / "jupyter"), app, "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with _server(command, f"http://127.0.0.1:{port}/api/status", tmp_path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", method="POST",
                                         data=json.dumps({"name": "python3"}).encode(),
                                         headers={"Authorization": f"token {TOKEN}"})
        kernel_id = json.load(urllib.request.urlopen(request, timeout=60))["id"]
        assert asyncio.run(_nodelay_of_kernel_websocket(port, kernel_id, f"?token={TOKEN}")) == 1
