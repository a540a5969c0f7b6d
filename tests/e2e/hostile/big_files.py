"""Class 6: writes a file larger than the sandbox's file-size limit."""
conv_forward = zeros_forward
try:
    with open("big.bin", "wb") as handle:
        for _ in range(200):
            handle.write(b"\0" * 1_000_000)
except OSError as error:
    print(type(error).__name__, error)
