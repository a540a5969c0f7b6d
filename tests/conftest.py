"""Shared fixtures: the course, the instructor's solutions, a fast in-process grader."""

import numpy as np
import pytest

from convstep.course import Course


@pytest.fixture(scope="session")
def course():
    """The course directory of this repository."""
    return Course()


@pytest.fixture(scope="session")
def solutions(course):
    """{function name: function}: the solution cells of source/, executed in teaching order."""
    namespace = {"np": np}
    codes = course.solutions()
    for code in codes.values():
        exec(compile(code, "<solution>", "exec"), namespace)
    return {name: namespace[name] for name in codes}
