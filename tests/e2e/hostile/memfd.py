"""Class 6: holds memory outside the address space: memfds (each under the file-size limit) that add up to twice
the sandbox's memory, each allocated in one call."""
import os

conv_forward = zeros_forward
held = []
try:
    while len(held) * 48 * 2**20 < 2 * __MEMORY__:
        fd = os.memfd_create("hog")
        os.posix_fallocate(fd, 0, 48 * 2**20)
        held.append(fd)
except OSError as error:
    print("stopped after", len(held), "memfds:", error)
print("held", len(held))
