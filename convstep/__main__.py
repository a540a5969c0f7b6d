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
    """grade the submissions of the assignments not yet graded in the gradebook in use, in parallel, with progress; feedback and CSVs"""
    from convstep import report
    from convstep.course import Course

    if args.sandbox:
        bootstrap.ensure_system_packages(bootstrap.SANDBOX_PACKAGES)
    course = Course(args.course, sandbox=args.sandbox)
    try:
        run = course.grade(args.assignments, workers=args.workers, scheduler=args.scheduler, students=args.student,
                           force=args.force)
    except KeyboardInterrupt:
        print("\n[convstep] stopped: what was graded is kept; run the same command again to grade the rest",
              file=sys.stderr)
        return 130
    if run.students:
        print(report.score_table(course, run.students))
    print(report.grading_summary(run), file=sys.stderr)
    return 1 if run.failed() else 0


def release(args):
    """sync provided code and regenerate release/ from source/ (all assignments, or those named), with their due dates"""
    from convstep.course import Course

    if args.regrade and not args.assignments:
        raise SystemExit("[convstep] error: --regrade needs the assignments it applies to, e.g. "
                         "`release 02_conv_forward --regrade`")
    Course(args.course).build_release(args.assignments or None, regrade=args.regrade)


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
            command.add_argument("--course", metavar="DIR", help="the nbgrader course directory, the one holding "
                                 "nbgrader_config.py (default: the current directory, as for nbgrader)")
        if function in (demo, autograde):
            command.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                                 help="grade without the sandbox: student code then runs with your rights")
        if function is autograde:
            command.add_argument("assignments", nargs="+", metavar="ASSIGNMENT", help="e.g. 02_conv_forward")
            command.add_argument("--workers", type=int, help="notebooks graded at once on this machine "
                                 "(default: as many as cores and memory allow, 3 GiB per sandbox)")
            command.add_argument("--scheduler", metavar="ADDRESS",
                                 help="a Dask scheduler (tcp://host:8786) whose workers grade instead")
            command.add_argument("--student", action="append", metavar="ID",
                                 help="only this student's submissions (an id or a shell-style pattern, as "
                                 "nbgrader's --student; may be given again)")
            command.add_argument("--force", action="store_true",
                                 help="grade again even the submissions already graded in their current form")
        if function is release:
            command.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="e.g. 02_conv_forward "
                                 "(default: all)")
            command.add_argument("--regrade", action="store_true",
                                 help="release even if graded cells were added or removed after submissions "
                                 "were graded: their grades of these assignments are removed from the "
                                 "gradebook, and the next autograde grades every submission again")
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


def without_option(argv, name):
    """``argv`` less the option ``name`` and its value (``name VALUE`` or ``name=VALUE``)."""
    kept, skip = [], False
    for arg in argv:
        if not skip and arg != name and not arg.startswith(f"{name}="):
            kept.append(arg)
        skip = arg == name and not skip
    return kept


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    arguments = parser()
    args, extra = arguments.parse_known_args(argv)
    if extra and args.run is not test:
        arguments.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.run is student_kit:  # DIR is the caller's, but the command runs again from the repository root
        argv = ["student-kit", os.path.abspath(args.dir)] + (["--upto", args.upto] if args.upto else [])
        args.dir = argv[1]
    if hasattr(args, "course"):  # nbgrader's rule: the course is the current directory unless named
        args.course = os.path.abspath(args.course or os.getcwd())
        argv = without_option(argv, "--course") + ["--course", args.course]  # the command runs again elsewhere
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
        if hasattr(args, "course"):
            from convstep.course import Course

            Course(args.course).config()  # says so if this is not a course directory
            logging.getLogger("convstep").info("[convstep] course directory: %s", args.course)
        result = args.run(args, extra) if args.run is test else args.run(args)
    except (CourseError, NotebookError, SampleError) as error:
        print(f"[convstep] error: {error}", file=sys.stderr)
        return 1
    return result or 0


if __name__ == "__main__":
    sys.exit(main())
