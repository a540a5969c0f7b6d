"""Class 6: asks for more memory than the sandbox may have, in one allocation and then page by page."""
conv_forward = zeros_forward
try:
    hog = np.ones(2 * __MEMORY__ // 8)  # twice the limit at once: refused by construction
except MemoryError as error:
    print("refused:", error)
# %% cell
hog = []
while True:
    hog.append(np.ones(2**24))
