"""Class 5: many cells that each take just under the cell timeout, to hold the grader as long as it lets them."""
import time

conv_forward = zeros_forward
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
# %% cell
time.sleep(__TIMEOUT__ - 0.5)
