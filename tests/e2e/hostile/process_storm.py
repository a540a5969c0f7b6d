"""Class 5/6: forks until it cannot, and leaves sleeping processes behind in new sessions."""
import os
import subprocess
import time

conv_forward = zeros_forward
if os.fork() == 0:
    time.sleep(__SLEEPER__)
    os._exit(0)
procs = []
try:
    while True:
        procs.append(subprocess.Popen(["sleep", "__SLEEPER__"], start_new_session=True))
except OSError as error:
    print("stopped after", len(procs), error)
