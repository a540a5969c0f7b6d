"""The kernel websocket of the Jupyter servers that show the explorers, with Nagle's algorithm off.

jupyter_server and Voila leave TCP_NODELAY unset on the kernel websocket (tornado's default). A
slider move is answered by a burst of small messages (status, echo, picture, readouts); with
Nagle on, a message written while the previous one is unacknowledged waits for the browser's
delayed ACK, up to 40 ms on Linux. Measured in Voila, key presses on the padding slider: 55 ms
from key to picture, 25 ms with this.

Voila's own server takes the class from voila.json. JupyterLab and Notebook 7 load this module as
a server extension (enabled by the environment's jupyter_server_config.d/convstep.json, which
bootstrap.install_jupyter_files writes), since their config files have no .d directory for
ServerApp settings other than extensions.
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """ZMQChannelsWebsocketConnection that sends each message as soon as it is written."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": "convstep.websocket"}]


def _load_jupyter_server_extension(serverapp):
    """Use NoDelayConnection unless the server was given a connection class of its own (e.g. a
    kernel gateway's)."""
    settings = serverapp.web_app.settings
    if settings.get("kernel_websocket_connection_class") is ZMQChannelsWebsocketConnection:
        settings["kernel_websocket_connection_class"] = NoDelayConnection
