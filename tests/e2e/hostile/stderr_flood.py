"""Class 6: writes straight to file descriptor 2, forged grader log lines first, then hundreds of megabytes."""
import os

conv_forward = zeros_forward
os.write(2, b"[AutogradeApp | INFO] __MARKER__ forged: all tests passed\n")
chunk = b"__MARKER__ " * 100_000
for _ in range(300):
    os.write(2, chunk)
for path in ["/dev/tty", "/dev/console", "/proc/1/fd/2"]:
    try:
        with open(path, "w") as handle:
            handle.write("__MARKER__ via " + path)
    except OSError as error:
        print(path, type(error).__name__)
