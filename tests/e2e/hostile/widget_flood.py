"""Class 6: sends tens of megabytes of widget state, which a grader would store in the graded notebook."""
import ipywidgets

conv_forward = zeros_forward
boxes = [ipywidgets.Textarea(value="x" * 2_000_000) for _ in range(30)]
for box in boxes:
    box.value = "y" * 2_000_000
