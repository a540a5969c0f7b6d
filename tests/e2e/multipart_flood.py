"""Class 5: sends the grader, on the shell socket, 20 messages of 500 parts of 4 MB (each part under the size
limit of one part; ZeroMQ counts a message of many parts as one against the queue limit): 40 GB that
would sit in the grader's memory before anyone reads them. Graded on its own by
test_a_flood_of_message_parts_is_cut_off."""
import threading

kernel = get_ipython().kernel
part = b"x" * (4 * 1024 * 1024)
started = []


def flood(stream, ident, parent):
    for _ in range(20):
        kernel.session.send(stream, "execute_reply", {"status": "ok"}, parent, ident=ident, buffers=[part] * 500)


def watching(original):
    def handler(stream, ident, parent):
        if not started:
            started.append(threading.Thread(target=flood, args=(stream, ident, parent), daemon=True))
            started[0].start()
        return original(stream, ident, parent)
    return handler


for name in ("execute_request", "convstep_request"):
    if name in kernel.shell_handlers:
        kernel.shell_handlers[name] = watching(kernel.shell_handlers[name])
conv_forward = zeros_forward
