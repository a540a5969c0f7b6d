"""Class 6: prints forever, in big and in tiny messages."""
conv_forward = zeros_forward
for _ in range(20000):
    print("spam " * 2000)
# %% cell
while True:
    print("x", end="", flush=True)
