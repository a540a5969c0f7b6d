"""Class 5: kills every process it can see, the sandbox's first process included."""
import os
import signal

conv_forward = zeros_forward
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as error:
            print(pid, type(error).__name__)
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError as error:
    print("parent", type(error).__name__)
