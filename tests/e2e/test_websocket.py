"""The kernel websocket of Voila, JupyterLab and Notebook 7 sends each message at once.

With Nagle's algorithm on (jupyter_server's and Voila's default), the burst of small messages that
answers a slider move waits for the browser's delayed ACK: up to 40 ms a move. The project's
settings (voila.json; the server extension the set-up enables) select
convstep.websocket.NoDelayConnection. The test opens a kernel websocket on each real server and
reads TCP_NODELAY from the server's own end of that connection (pidfd_getfd, Linux 5.6+), so it
checks the setting as the server applied it, without timing anything.
"""

import asyncio
import ctypes
import json
import os
import re
import socket
import stat
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tornado.websocket import websocket_connect

from conftest import TOKEN

SYS_PIDFD_GETFD = 438      # the same number on x86-64 and arm64
REPLY_TIMEOUT_S = 120      # a generous bound for a kernel's start and first answer, not a speed goal


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


async def _nodelay_of_kernel_websocket(base, kernel_id, query=""):
    """TCP_NODELAY of the server's end of a kernel websocket, read once the server has answered a
    kernel_info_request over it (so its open(), which applies the setting, has run)."""
    port = urllib.parse.urlsplit(base).port
    conn = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels{query}")
    try:
        msg_id = uuid.uuid4().hex
        await conn.write_message(json.dumps({
            "channel": "shell", "content": {}, "metadata": {}, "parent_header": {},
            "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3"}}))
        while True:
            message = await asyncio.wait_for(conn.read_message(), REPLY_TIMEOUT_S)
            assert message is not None, "the server closed the kernel websocket"
            if json.loads(message).get("parent_header", {}).get("msg_id") == msg_id:
                break
        client_port = conn.protocol.stream.socket.getsockname()[1]
        return _server_nodelay(port, client_port)
    finally:
        conn.close()


def test_voila_kernel_websocket_has_nagle_off(voila_url):
    page = urllib.request.urlopen(f"{voila_url}/voila/render/index.ipynb",
                                  timeout=REPLY_TIMEOUT_S).read().decode()
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)
    assert asyncio.run(_nodelay_of_kernel_websocket(voila_url, kernel_id)) == 1


def test_jupyter_kernel_websocket_has_nagle_off(jupyter_app):
    _, base = jupyter_app
    request = urllib.request.Request(f"{base}/api/kernels", method="POST",
                                     data=json.dumps({"name": "python3"}).encode(),
                                     headers={"Authorization": f"token {TOKEN}"})
    kernel_id = json.load(urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_S))["id"]
    assert asyncio.run(_nodelay_of_kernel_websocket(base, kernel_id, f"?token={TOKEN}")) == 1
