"""Class 6: System V shared memory segments, attached, filled and detached (they outlive the attach)."""
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
conv_forward = zeros_forward
for _ in range(8):
    segment = libc.shmget(0, ctypes.c_size_t(__MEMORY__ // 2), 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if segment < 0:
        print("shmget failed", ctypes.get_errno())
        break
    address = libc.shmat(segment, None, 0)
    ctypes.memset(address, 1, __MEMORY__ // 2)
    libc.shmdt(ctypes.c_void_p(address))
