"""Class 6: finds the grader's log descriptors it inherited and floods them: garbage, forged records, 60 MB."""
import os

conv_forward = zeros_forward
forged = b'{"event": "open", "category": "file", "detail": "__MARKER__", "cell": 1, "line": 1}\n'
for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
    try:
        if not os.isatty(fd) and os.fstat(fd).st_size >= 0:
            os.write(fd, forged + b"garbage " * 1000 + b"\n")
            for _ in range(60):
                os.write(fd, b"x" * 1_000_000)
    except OSError:
        pass
