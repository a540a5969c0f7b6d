"""Class 6: a thread floods the shell socket with replies to requests nobody made, so that a wait that ends
only on silence never ends. It starts on the first request the kernel handles after this cell."""
import threading
import uuid

kernel = get_ipython().kernel
started = []


def flood(stream, ident):
    content = {"status": "ok", "execution_count": 1, "user_expressions": {}, "payload": []}
    while True:
        kernel.session.send(stream, "execute_reply", content, {"header": {"msg_id": uuid.uuid4().hex}}, ident=ident)


def watching(original):
    def handler(stream, ident, parent):
        if not started:
            started.append(threading.Thread(target=flood, args=(stream, ident), daemon=True))
            started[0].start()
        return original(stream, ident, parent)
    return handler


for name in ("execute_request", "convstep_request"):
    if name in kernel.shell_handlers:
        kernel.shell_handlers[name] = watching(kernel.shell_handlers[name])
conv_forward = zeros_forward
