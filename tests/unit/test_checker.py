"""The trusted checker: test code runs here, the student's functions run on the student's side, and only
plain data crosses. Run against the in-process student side (``inprocess.LocalStudent``), which
goes through the same wire and kernel-side code as a sandboxed kernel."""

from convstep.grading.checker import MAX_MESSAGE, MAX_NAME, Checker, StudentError, student_error
from inprocess import LocalStudent


def checker_for(student_code, answers):
    """A checker whose graded answers are ``answers``, against a student namespace that ran ``student_code``;
    the checker's own setup imports numpy, as a notebook's locked setup cell does."""
    namespace = {"__name__": "__main__"}
    exec("import numpy as np\n" + student_code, namespace)
    checker = Checker(LocalStudent(namespace), answers)
    checker.run("import numpy as np", "setup", timeout=5)
    return checker


def error_of(outputs):
    errors = [o for o in outputs if o["output_type"] == "error"]
    return (errors[0]["ename"], errors[0]["evalue"]) if errors else None


def stdout_of(outputs):
    return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


def test_only_the_graded_answers_resolve_to_the_student():
    checker = checker_for("scale = 3.0\ndef triple(x):\n    return x * scale\ndef helper(v):\n    return 'forged'\n",
                          answers={"triple"})
    outputs = checker.run("print(triple(np.arange(3.0)).tolist(), np.__name__)", "t", timeout=5)
    assert error_of(outputs) is None and stdout_of(outputs) == "[0.0, 3.0, 6.0] numpy\n"
    # the student's data and other functions are not the checker's business: a NameError here
    assert error_of(checker.run("print(scale)", "t", timeout=5)) == ("NameError", "name 'scale' is not defined")
    assert error_of(checker.run("helper(1)", "t", timeout=5))[0] == "NameError"


def test_helpers_of_earlier_tests_are_the_checkers_own_whatever_the_student_defines():
    checker = checker_for("def f(x):\n    return x + 1\ndef reference(v):\n    return 'the student decides'\n",
                          answers={"f"})
    checker.run("def reference(v):\n    return f(v) * 10\n", "t1", timeout=5)
    assert stdout_of(checker.run("print(reference(1))", "t2", timeout=5)) == "20\n"


def test_the_kernel_is_asked_for_nothing_but_the_answers():
    checker = checker_for("def f(x):\n    return x\n", answers={"f"})
    code = ("def reference_conv(x):\n    return f(x) + 1\n"
            "ORDER_HINT = 'read hparameters by name'\n"
            "assert reference_conv(1) == 2\n"
            "try:\n    stride_hint(1)\nexcept NameError:\n    pass\n")
    assert error_of(checker.run(code, "t", timeout=5)) is None
    assert checker.student.asked == ["f"]  # no lookup, no helper's name: only the call of an answer


def test_the_checker_numpy_is_its_own_and_builtins_are_never_asked_for():
    checker = checker_for("print = None\nlen = lambda x: 99\nnp = None\n", answers={"len", "print"})
    outputs = checker.run("import numpy\nassert np is numpy\nprint(len([1, 2]))", "t", timeout=5)
    assert error_of(outputs) is None and stdout_of(outputs) == "2\n"


def test_an_answer_the_student_did_not_define_fails_the_test_with_its_name():
    checker = checker_for("", answers={"conv_forward"})
    code = "from convstep.checks import call\ncall(conv_forward, 1, case='the example')"
    name, message = error_of(checker.run(code, "t", timeout=5))
    assert name == "AssertionError"
    assert message == ("the example: conv_forward is not defined in your notebook: run the cell that defines it, "
                       "and keep its name")


def test_student_errors_keep_builtin_types_and_nothing_else_escapes():
    checker = checker_for(
        "class Weird(Exception): pass\n"
        "def raises(kind):\n"
        "    if kind == 'value': raise ValueError('bad value')\n"
        "    if kind == 'todo': raise NotImplementedError()\n"
        "    if kind == 'exit': raise SystemExit(3)\n"
        "    if kind == 'interrupt': raise KeyboardInterrupt()\n"
        "    raise Weird('mine')\n", answers={"raises"})
    code = ("from convstep.checks import call\n"
            "for kind in ['value', 'todo', 'exit', 'interrupt', 'weird']:\n"
            "    try:\n        call(raises, kind, case=kind)\n    except AssertionError as e:\n        print(e)\n")
    text = stdout_of(checker.run(code, "t", timeout=5))
    assert "raises raised ValueError: bad value" in text
    assert "is not implemented yet" in text
    assert "raises raised SystemExit: 3" in text and "raises raised KeyboardInterrupt" in text
    assert "raises raised Weird: mine" in text


def test_what_the_student_writes_is_bounded_where_the_checker_reads_it():
    checker = checker_for("def shout():\n    raise type('E' * 3_000_000, (Exception,), {})('m' * 5_000_000)\n",
                          answers={"shout"})
    checker.max_output = 4096
    outputs = checker.run("shout()", "t", timeout=5)
    name, message = error_of(outputs)
    assert name == "E" * MAX_NAME and len(message) <= MAX_MESSAGE
    outputs = checker.run("print('x' * 100_000)", "t", timeout=5)
    assert len(stdout_of(outputs)) < 4096 + 100 and "more characters dropped" in stdout_of(outputs)
    assert len(student_error("N" * 1000, "").__class__.__name__) == MAX_NAME


def test_inputs_arrive_read_only_and_a_function_that_writes_into_them_is_named():
    checker = checker_for("def spoil(a, d):\n    a[...] = 0\n    d['stride'] = 9\n    return a.sum()\n"
                          "def keep(a, d):\n    return a.sum() + d['stride']\n", answers={"spoil", "keep"})
    code = ("from convstep.checks import check_unchanged\n"
            "a = np.arange(1.0, 5.0); d = {'stride': 1}\n"
            "saved = a.copy(), dict(d)\n"
            "print(spoil(a, d), keep(a, d), a.tolist(), d)\n"   # the result still counts; the test's objects are untouched
            "try:\n    check_unchanged('a', saved[0], a, 'case')\nexcept AssertionError as e:\n    print('A:', e)\n"
            "try:\n    check_unchanged('d', saved[1], d, 'case')\nexcept AssertionError as e:\n    print('D:', e)\n")
    text = stdout_of(checker.run(code, "t", timeout=5))
    assert text.startswith("0.0 11.0 [1.0, 2.0, 3.0, 4.0] {'stride': 1}\n")
    assert "A: case: a was modified by the call: spoil writes into its input" in text
    assert "D: case: d was modified by the call: spoil writes into its input" in text


def test_a_function_that_only_reads_its_inputs_passes_check_unchanged():
    checker = checker_for("def keep(a, h):\n    return a * h['s'], dict(h), h.get('s'), sorted(h)\n", answers={"keep"})
    code = ("from convstep.checks import check_unchanged\n"
            "a = np.ones(3); h = {'s': 2}; saved = a.copy()\nr = keep(a, h)\n"
            "check_unchanged('a', saved, a, 'case')\ncheck_unchanged('h', {'s': 2}, h, 'case')\nprint(r)")
    assert stdout_of(checker.run(code, "t", timeout=5)) == "(array([2., 2., 2.]), {'s': 2}, 2, ['s'])\n"


def test_results_that_lie_do_not_cross():
    checker = checker_for(
        "class Liar:\n    __eq__ = lambda s, o: True\n    __array__ = lambda s, *a, **k: np.zeros(3)\n"
        "def lies():\n    return Liar()\n"
        "def sub():\n    return np.zeros(3).view(type('Sub', (np.ndarray,), {'__eq__': lambda s, o: True}))\n",
        answers={"lies", "sub"})
    assert "cannot be checked" in error_of(checker.run("lies()", "t", timeout=5))[1]
    assert stdout_of(checker.run("r = sub()\nprint(type(r).__name__, (r == 1).any())", "t", timeout=5)) == "ndarray False\n"


def test_a_call_past_the_deadline_fails_that_test():
    checker = checker_for("def forever():\n    while True:\n        pass\n", answers={"forever"})
    outputs = checker.run("forever()", "t", timeout=1)
    assert error_of(outputs)[0] == "CallTimeout"


def test_the_verdict_is_the_checkers():
    checker = checker_for("import sys\nsys.displayhook = None\n", answers=set())
    outputs = checker.run("assert 1 == 2, 'no'", "test_x", timeout=5)
    assert error_of(outputs) == ("AssertionError", "no")
    tb = [o for o in outputs if o["output_type"] == "error"][0]["traceback"]
    assert tb == ["AssertionError: no"]  # the message only: never the code of the test


def test_student_error_names_are_sanitised():
    assert isinstance(StudentError, type)
    assert type(student_error("ValueError", "x")) is ValueError
    assert isinstance(student_error("SystemExit", "x"), StudentError)
    assert type(student_error("not an identifier!", "x")).__name__ == "Exception"
    assert isinstance(student_error("KeyboardInterrupt", ""), Exception)
    assert type(student_error(["not", "a string"], None)).__name__ == "Exception"
