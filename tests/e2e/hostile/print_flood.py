"""Class 6: prints more than a cell may keep in one message, then prints forever in tiny ones."""
conv_forward = zeros_forward
print("spam " * 600_000)
# %% cell
while True:
    print("x", end="", flush=True)
