"""Class 6: fills /dev/shm, /tmp and the home folder (tmpfs) with files of twice the sandbox's memory."""
import os

conv_forward = zeros_forward
for folder in ["/dev/shm", "/tmp", "."]:
    try:
        fd = os.open(os.path.join(folder, "hog"), os.O_WRONLY | os.O_CREAT)
        os.posix_fallocate(fd, 0, 2 * __MEMORY__)
        print(folder, "allocated")
    except OSError as error:
        print(folder, type(error).__name__, error)
