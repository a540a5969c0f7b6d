"""Class 1: looks for the notebook with the hidden tests on disk: its own autograded copy, the course's
source notebook, the gradebook, a classmate's submission."""
import os

conv_forward = zeros_forward
for path in ["02_conv_forward.ipynb", "../02_conv_forward.ipynb", "__ROOT__/source/02_conv_forward/02_conv_forward.ipynb",
             "__ROOT__/autograded/complete/02_conv_forward/02_conv_forward.ipynb", "__ROOT__/gradebook.db",
             "__ROOT__/submitted/complete/02_conv_forward/02_conv_forward.ipynb", "../../complete/02_conv_forward/02_conv_forward.ipynb"]:
    try:
        print(path, open(path, errors="replace").read()[:3000])
    except Exception as error:
        print(path, type(error).__name__)
print(os.getcwd(), os.listdir("."), os.listdir("/"))
