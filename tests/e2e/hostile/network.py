"""The machine: connects to a server on the grader's localhost and to the outside."""
import socket

conv_forward = zeros_forward
for address in [("127.0.0.1", __PORT__), ("10.0.0.1", 80), ("pypi.org", 443)]:
    try:
        socket.create_connection(address, timeout=2).sendall(b"__MARKER__")
    except Exception as error:
        print("network", address, type(error).__name__, error)
