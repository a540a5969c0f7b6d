"""The trusted checker: test code runs here, the student's functions run on the student's side, and only
plain data crosses. Run against the in-process student side (``inprocess.LocalStudent``), which
goes through the same wire and kernel-side code as a sandboxed kernel."""


from convstep.grading.checker import Checker, StudentError
from inprocess import LocalStudent


def checker_for(student_code):
    namespace = {"__name__": "__main__"}
    exec("import numpy as np\n" + student_code, namespace)
    return Checker(LocalStudent(namespace)), namespace


def error_of(outputs):
    errors = [o for o in outputs if o["output_type"] == "error"]
    return (errors[0]["ename"], errors[0]["evalue"]) if errors else None


def stdout_of(outputs):
    return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


def test_names_resolve_to_the_student_functions_and_data():
    checker, _ = checker_for("import numpy as np\nscale = 3.0\ndef triple(x):\n    return x * scale\n")
    outputs = checker.run("print(triple(np.arange(3.0)).tolist(), scale, np.__name__)", "t", timeout=5)
    assert error_of(outputs) is None
    assert stdout_of(outputs) == "[0.0, 3.0, 6.0] 3.0 numpy\n"


def test_the_checker_numpy_is_its_own_and_builtins_are_never_asked_for():
    checker, namespace = checker_for("import numpy as np\nprint = None\nlen = lambda x: 99\n")
    outputs = checker.run("import numpy\nassert np is numpy\nprint(len([1, 2]))", "t", timeout=5)
    assert error_of(outputs) is None and stdout_of(outputs) == "2\n"


def test_functions_defined_by_tests_see_student_names():
    checker, _ = checker_for("def f(x):\n    return x + 1\n")
    checker.run("def helper(v):\n    return f(v) * 10\n", "t1", timeout=5)
    outputs = checker.run("print(helper(1))", "t2", timeout=5)
    assert stdout_of(outputs) == "20\n"


def test_missing_names_and_uncheckable_values_fail_the_test():
    checker, _ = checker_for("import matplotlib\nobj = object()\n")
    assert error_of(checker.run("conv_forward(1)", "t", timeout=5))[0] == "NameError"
    assert "cannot be checked" in error_of(checker.run("x = obj", "t", timeout=5))[1]
    assert "cannot be checked" in error_of(checker.run("matplotlib.use", "t", timeout=5))[1]


def test_student_errors_keep_builtin_types_and_nothing_else_escapes():
    checker, _ = checker_for(
        "class Weird(Exception): pass\n"
        "def raises(kind):\n"
        "    if kind == 'value': raise ValueError('bad value')\n"
        "    if kind == 'todo': raise NotImplementedError()\n"
        "    if kind == 'exit': raise SystemExit(3)\n"
        "    if kind == 'interrupt': raise KeyboardInterrupt()\n"
        "    raise Weird('mine')\n")
    code = ("from convstep.checks import call\n"
            "for kind in ['value', 'todo', 'exit', 'interrupt', 'weird']:\n"
            "    try:\n        call(raises, kind, case=kind)\n    except AssertionError as e:\n        print(e)\n")
    text = stdout_of(checker.run(code, "t", timeout=5))
    assert "raises raised ValueError: bad value" in text
    assert "is not implemented yet" in text
    assert "raises raised SystemExit: 3" in text and "raises raised KeyboardInterrupt" in text
    assert "raises raised Weird: mine" in text


def test_inputs_are_copies_and_changes_are_only_reported():
    checker, _ = checker_for("def spoil(a, d):\n    a[...] = 0\n    d['stride'] = 9\n    return a.sum()\n")
    code = ("from convstep.checks import check_unchanged\n"
            "a = np.arange(1.0, 5.0); d = {'stride': 1}\n"
            "saved = a.copy(), dict(d)\n"
            "result = spoil(a, d)\n"
            "print(result, a.tolist(), d)\n"           # the test's own objects are untouched...
            "try:\n    check_unchanged('a', saved[0], a, 'case')\nexcept AssertionError as e:\n    print('A:', e)\n"
            "try:\n    check_unchanged('d', saved[1], d, 'case')\nexcept AssertionError as e:\n    print('D:', e)\n")
    text = stdout_of(checker.run(code, "t", timeout=5))
    assert text.startswith("0.0 [1.0, 2.0, 3.0, 4.0] {'stride': 1}\n")
    assert "A: case: a was modified by the call" in text and "D: case: d was modified by the call" in text


def test_an_unchanged_input_passes_check_unchanged():
    checker, _ = checker_for("def keep(a):\n    return a * 2\n")
    code = ("from convstep.checks import check_unchanged\n"
            "a = np.ones(3); saved = a.copy(); keep(a)\ncheck_unchanged('a', saved, a, 'case')\nprint('ok')")
    assert stdout_of(checker.run(code, "t", timeout=5)) == "ok\n"


def test_results_that_lie_do_not_cross():
    checker, _ = checker_for(
        "import numpy as np\n"
        "class Liar:\n    __eq__ = lambda s, o: True\n    __array__ = lambda s, *a, **k: np.zeros(3)\n"
        "def lies():\n    return Liar()\n"
        "def sub():\n    return np.zeros(3).view(type('Sub', (np.ndarray,), {'__eq__': lambda s, o: True}))\n")
    assert "cannot be checked" in error_of(checker.run("lies()", "t", timeout=5))[1]
    assert stdout_of(checker.run("r = sub()\nprint(type(r).__name__, (r == 1).any())", "t", timeout=5)) == "ndarray False\n"


def test_a_call_past_the_deadline_fails_that_test():
    checker, _ = checker_for("def forever():\n    while True:\n        pass\n")
    outputs = checker.run("forever()", "t", timeout=1)
    assert error_of(outputs)[0] == "CallTimeout"


def test_the_verdict_is_the_checkers():
    checker, _ = checker_for("import sys\nsys.displayhook = None\n")
    outputs = checker.run("assert 1 == 2, 'no'", "test_x", timeout=5)
    assert error_of(outputs) == ("AssertionError", "no")
    tb = [o for o in outputs if o["output_type"] == "error"][0]["traceback"]
    assert tb == ["AssertionError: no"]  # the message only: never the code of the test


def test_student_error_names_are_sanitised():
    assert isinstance(StudentError, type)
    from convstep.grading.checker import student_error

    assert type(student_error("ValueError", "x")) is ValueError
    assert isinstance(student_error("SystemExit", "x"), StudentError)
    assert type(student_error("not an identifier!", "x")).__name__ == "Exception"
    assert isinstance(student_error("KeyboardInterrupt", ""), Exception)
