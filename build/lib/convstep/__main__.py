"""Command line: ``python3 -m convstep <command>`` (``--help`` lists them).

The arguments are checked first; then, outside the project's virtual environment, it is created
(``convstep.bootstrap``, standard library only) and the command runs again inside it. Each command
calls one library function and prints what it returns; the library reports progress through the
``convstep`` logger.
"""

import argparse
import logging
import os
import subprocess
import sys

from convstep import bootstrap


def demo(args):
    """set up, build release/, grade the bundled sample class, print the grades"""
    from convstep.course import Course

    if args.sandbox:
        bootstrap.ensure_system_packages(bootstrap.SANDBOX_PACKAGES)
    print(Course(args.course, sandbox=args.sandbox).demo())


def autograde(args):
    """grade every submission of the assignments in parallel (a Dask cluster), with progress; feedback and CSVs"""
    from convstep.course import Course

    if args.sandbox:
        bootstrap.ensure_system_packages(bootstrap.SANDBOX_PACKAGES)
    from convstep import report

    course = Course(args.course, sandbox=args.sandbox)
    try:
        students = course.grade(args.assignments, workers=args.workers, scheduler=args.scheduler)
    except KeyboardInterrupt:
        print("\n[convstep] stopped: what was graded is kept; run the same command again to grade the rest",
              file=sys.stderr)
        return 130
    print(report.score_table(course, students, args.assignments))


def release(args):
    """sync provided code and regenerate release/ from source/"""
    from convstep.course import Course

    Course(args.course).build_release()


def report(args):
    """score table with notes, and the integrity report, of the submissions graded so far"""
    from convstep.course import Course

    print(Course(args.course).report())


def student_kit(args):
    """write the students' folder into DIR (a git repository, Binder-ready): release notebooks, explorers, the package part they import"""
    from convstep.studentkit import build

    kit = build(args.dir, upto=args.upto)
    return print(f"student kit in {kit['path']}: {', '.join(kit['assignments'])}; {len(kit['explorers'])} explorer "
                 f"notebooks; modules {', '.join(kit['modules'])}")


def hub(args):
    """run a JupyterHub for the course on this machine (root): instructor and student accounts, nbgrader's exchange and formgrader, the grading service"""
    from convstep import hub

    chosen = {name: getattr(args, name) for name in ("state", "exchange", "roster") if getattr(args, name)}
    return hub.serve(port=args.port, instructor=args.instructor, **chosen)


def test(args, pytest_args):
    """set up .venv and the system packages the tests need, then run pytest (extra arguments go to pytest)"""
    bootstrap.ensure_system_packages(bootstrap.TEST_PACKAGES)
    selection = ["tests/unit"] if args.fast else []
    code = subprocess.run([sys.executable, "-m", "pytest", *selection, *pytest_args]).returncode
    if code == 5:
        print("[convstep] pytest collected no tests: treating that as a failure", file=sys.stderr)
        return 1
    return code


def setup(args):
    """only create or refresh .venv"""


def parser():
    main = argparse.ArgumentParser(prog="python3 -m convstep", description="ConvNets Step by Step: set up, build the release, grade, test.")
    commands = main.add_subparsers(dest="command", required=True, metavar="command")
    for function in (demo, autograde, release, report, student_kit, hub, test, setup):
        command = commands.add_parser(function.__name__.replace("_", "-"), help=function.__doc__,
                                      description=function.__doc__)
        command.set_defaults(run=function)
        if function in (demo, autograde, release, report):
            command.add_argument("--course", default=bootstrap.ROOT, metavar="DIR",
                                 help="the nbgrader course directory (default: this repository)")
        if function in (demo, autograde):
            command.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                                 help="grade without the sandbox: student code then runs with your rights")
        if function is autograde:
            command.add_argument("assignments", nargs="+", metavar="ASSIGNMENT", help="e.g. 02_conv_forward")
            command.add_argument("--workers", type=int, help="notebooks graded at once on this machine "
                                 "(default: as many as cores and memory allow, 3 GiB per sandbox)")
            command.add_argument("--scheduler", metavar="ADDRESS",
                                 help="a Dask scheduler (tcp://host:8786) whose workers grade instead")
        if function is student_kit:
            command.add_argument("dir", metavar="DIR", help="a new (or empty) folder for the kit")
            command.add_argument("--upto", metavar="NN", help="only the assignments numbered NN or lower "
                                 "(those released so far); default: all")
        if function is hub:
            command.add_argument("--port", type=int, default=8000, help="where people open it: http://127.0.0.1:PORT/")
            command.add_argument("--state", metavar="DIR",
                                 help="the hub's own files: database, secrets, new accounts' passwords (default: .hub)")
            command.add_argument("--exchange", metavar="DIR",
                                 help="nbgrader's exchange folder (default: /srv/nbgrader/exchange)")
            command.add_argument("--instructor", default="instructor", metavar="NAME", help="the instructor's account")
            command.add_argument("--roster", metavar="CSV",
                                 help="the students: id,first_name,last_name,email (default: two trial students)")
        if function is test:
            command.add_argument("--fast", action="store_true", help="only the fast tier (tests/unit)")
    return main


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    arguments = parser()
    args, extra = arguments.parse_known_args(argv)
    if extra and args.run is not test:
        arguments.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.run is student_kit:  # DIR is the caller's, but the command runs again from the repository root
        argv = ["student-kit", os.path.abspath(args.dir)] + (["--upto", args.upto] if args.upto else [])
        args.dir = argv[1]
    if args.run is hub:          # the same for its paths
        for name in ("state", "exchange", "roster"):
            if getattr(args, name):
                setattr(args, name, os.path.abspath(getattr(args, name)))
        argv = ["hub", "--port", str(args.port), "--instructor", args.instructor] + [
            item for name in ("state", "exchange", "roster") if getattr(args, name)
            for item in (f"--{name}", getattr(args, name))]
    if not bootstrap.in_venv():
        # Continue inside the project's environment, where nbgrader and numpy are installed.
        return 0 if args.run is setup and not bootstrap.ensure_venv() else bootstrap.run_in_venv(argv)
    os.chdir(bootstrap.ROOT)
    logging.basicConfig(format="%(message)s")
    logging.getLogger("convstep").setLevel(logging.INFO)
    from convstep.course import CourseError
    from convstep.notebooks import NotebookError
    from convstep.samples import SampleError

    try:
        result = args.run(args, extra) if args.run is test else args.run(args)
    except (CourseError, NotebookError, SampleError) as error:
        print(f"[convstep] error: {error}", file=sys.stderr)
        return 1
    return result or 0


if __name__ == "__main__":
    sys.exit(main())
