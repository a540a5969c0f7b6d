"""Class 6: holds memory outside the address space: a memfd of twice the sandbox's memory, allocated in one call."""
import os

conv_forward = zeros_forward
fd = os.memfd_create("hog")
os.posix_fallocate(fd, 0, 2 * __MEMORY__)
print("allocated", os.fstat(fd).st_size)
