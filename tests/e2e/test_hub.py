"""The course on a real JupyterHub, end to end in Chromium: `python3 -m convstep hub` with an
instructor and two students (system accounts, PAM), nbgrader's exchange, formgrader, and the grading
service that autogrades in the sandbox for the instructor, whose own server runs as the instructor.

One story, screen by screen (screenshots in tests/artifacts/hub_*.png): the instructor generates and
releases 01 in formgrader; each student fetches it in JupyterLab's Assignments list, writes zero_pad
(one right, one wrong, the wrong one with a script in a markdown cell and in an HTML output) and
submits; the instructor collects in formgrader, autogrades the class with `nbgrader autograde` in a
JupyterLab terminal and one student again with formgrader's button (both through the grading
service, in the sandbox), sees both scores with the students' names, a submission's math as MathML,
the other submission's scripts not run, and releases feedback; each student fetches their own
feedback with the right score and can reach nothing of the other's. Every process the hub started is gone afterwards.
"""

import contextlib
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, _free_port, _stop_group
from test_browser import ARTIFACTS, _assert_clean_console

INSTRUCTOR = "cst-teacher"
STUDENTS = {"cst-ada": ("Ada", "Lovelace"), "cst-alan": ("Alan", "Turing")}
COURSE = "convnets-step-by-step"
ASSIGNMENT = "01_zero_padding"
START_S = 900          # the first start installs the accounts' environment (a few minutes)
PAGE_TIMEOUT_MS = 180_000
RIGHT = '''def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))
'''
WRONG = '''def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(1, 1))
'''
ANSWERS = {"cst-ada": RIGHT, "cst-alan": WRONG}
# What one student adds to their notebook: a markdown cell and an HTML output that would run a script
# in whoever's browser shows them -- in formgrader, the instructor's own Jupyter, with their rights.
INJECTOR = "cst-alan"
INJECTION = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
INJECTED_CODE = f"from IPython.display import HTML, display\ndisplay(HTML({INJECTION!r}))"


def remove_accounts():
    for name in [INSTRUCTOR, *STUDENTS]:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def processes_of(names):
    """{pid: command} of every process running as one of the accounts."""
    uids = set()
    for name in names:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid in uids:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


@pytest.fixture(scope="module")
def hub():
    """`python3 -m convstep hub` on a free port with its own state, exchange and accounts; stopped
    after the module, and checked to have left no process and no grading cgroup behind."""
    if os.geteuid() != 0:
        pytest.fail("the hub test creates system accounts: run it as root (CI does)")
    remove_accounts()                          # a killed run's accounts would keep unknown passwords
    folder = Path(tempfile.mkdtemp(prefix="convstep-hub-"))   # readable by the accounts, unlike tmp_path
    os.chmod(folder, 0o755)
    roster = folder / "roster.csv"
    roster.write_text("id,first_name,last_name,email\n"
                      + "".join(f"{name},{first},{last},\n" for name, (first, last) in STUDENTS.items()))
    port = _free_port()
    log_path = folder / "hub.log"
    command = [sys.executable, "-m", "convstep", "hub", "--port", str(port), "--state", str(folder / "state"),
               "--exchange", str(folder / "exchange"), "--instructor", INSTRUCTOR, "--roster", str(roster)]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    ports = [port]
    try:
        deadline = time.monotonic() + START_S
        while "JupyterHub is now running" not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the hub did not start:\n{log_path.read_text()[-5000:]}")
            time.sleep(1)
        private = folder / "state" / "private"
        passwords = dict(line.split(" ", 1) for line in (private / "passwords").read_text().splitlines())
        settings = json.loads((private / "settings.json").read_text())
        ports = [settings[name] for name in ("port", "hub_port", "proxy_api_port", "service_port")]
        yield {"url": url, "folder": folder, "log": log_path, "passwords": passwords, "port": port}
    finally:
        _stop_group(proc, 60)
        deadline = time.monotonic() + 60         # a hang guard: the servers and kernels go with the hub
        while (left := processes_of([INSTRUCTOR, *STUDENTS])) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in left:                        # the test's own accounts: nothing else runs as them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        jobs = [str(p) for p in Path("/sys/fs/cgroup").glob("*/convstep/grader-*")]
        remove_accounts()
        subprocess.run(["rm", "-rf", str(folder)])
        assert not left, f"processes of the hub's accounts left after it stopped: {left}"
        assert not jobs, f"grading cgroups left: {jobs}"
        for port in ports:                       # the proxy, the hub, the proxy's API and the grading service
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hub_{name}.png"), full_page=True)


def login(browser, hub, name):
    """A browser context of its own (cookies) for ``name``, logged in through the hub's PAM form,
    with their JupyterLab open."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.console_errors, page.requested, page.failed_requests = [], [], []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: page.requested.append(r.url))
    page.on("requestfailed", lambda r: page.failed_requests.append((r.url, r.failure or "")))
    page.goto(hub["url"] + "/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub["passwords"][name])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{name}/lab"))
    page.locator(".jp-LabShell").wait_for()
    page.locator(".jp-DirListing-content").first.wait_for()
    return page


def formgrader(page, hub, user, path):
    """Open a formgrader page, its console and requests recorded from here on (the page before is
    left first: leaving JupyterLab aborts its requests in flight, which are not formgrader's)."""
    page.goto("about:blank")
    for record in (page.console_errors, page.requested, page.failed_requests):
        record.clear()
    page.goto(f"{hub['url']}/user/{user}/formgrader/{path}")


def click_and_confirm(page, selector, modal="#success-modal"):
    """Click a formgrader action and wait for its success dialog; the dialog's text."""
    page.locator(selector).click()
    dialog = page.locator(f"{modal}, #error-modal").first
    dialog.wait_for()
    text = dialog.inner_text()
    assert dialog.get_attribute("id") == modal.lstrip("#"), text
    dialog.locator(".modal-footer button").click()
    dialog.wait_for(state="detached")
    return text


def open_submission(page, hub, full_name):
    """Open a submission's page in formgrader from the notebook's list, by the student's name."""
    formgrader(page, hub, INSTRUCTOR, f"gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    page.wait_for_function("() => window.models !== undefined && models.loaded")   # the rows are there
    page.locator("#toggle_names").click()
    page.locator("a.name-shown", has_text=full_name).click()
    page.locator("#notebook-container").first.wait_for()   # nbgrader's template holds nbconvert's inside its own


def assignments_list(page):
    """Open JupyterLab's Assignments list (nbgrader's menu) and wait until it has loaded."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    for part in ("released", "fetched", "submitted"):
        page.locator(f"#{part}_assignments_list_loading").wait_for(state="hidden")


def as_user(name, *command, cwd=None):
    account = pwd.getpwnam(name)
    env = {"HOME": account.pw_dir, "USER": name, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(command, user=name, group=account.pw_gid, env=env, cwd=cwd or account.pw_dir,
                          capture_output=True, text=True)


def gradebook_scores():
    """{student: score} of the assignment, read from the instructor's gradebook."""
    from nbgrader.api import Gradebook

    course = Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / COURSE
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE) as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}


def test_the_course_on_a_hub(hub, browser):
    started = time.monotonic()
    home = Path(pwd.getpwnam(INSTRUCTOR).pw_dir)
    course = home / COURSE
    teacher = login(browser, hub, INSTRUCTOR)
    shot(teacher, "instructor_lab")
    # Formgrader's assignments: no exchange banner, names from the roster; generate and release 01.
    formgrader(teacher, hub, INSTRUCTOR, "manage_assignments")
    row = f"tr:has(td.name:has-text('{ASSIGNMENT}'))"
    teacher.locator(row).wait_for()
    assert "does not exist" not in teacher.inner_text("body")
    click_and_confirm(teacher, f"{row} td.assign a")
    click_and_confirm(teacher, f"{row} td.release a")
    teacher.locator(f"{row} td.status", has_text="released").wait_for()
    shot(teacher, "formgrader_released")
    _assert_clean_console(teacher, "formgrader: manage assignments")

    # Each student fetches 01 in the Assignments list, writes zero_pad, saves and submits.
    students = {}
    for name, answer in ANSWERS.items():
        page = students[name] = login(browser, hub, name)
        assignments_list(page)
        page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT).wait_for()
        shot(page, f"{name}_assignments")
        page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT).locator("button",
                                                                                          has_text="Fetch").click()
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()
        page.goto(f"{hub['url']}/user/{name}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        cell = page.locator(".jp-CodeCell", has_text="raise NotImplementedError()")
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(answer)
        if name == INJECTOR:       # below the answer: a code cell, then a markdown cell (JupyterLab's keys)
            for kind, text in (("code", INJECTED_CODE), ("markdown", INJECTION)):
                page.keyboard.press("Escape")
                page.keyboard.press("b")
                if kind == "markdown":
                    page.keyboard.press("m")
                page.keyboard.press("Enter")
                page.keyboard.insert_text(text)
        page.keyboard.press("Control+s")
        page.locator(".jp-Document.jp-mod-dirty, .jp-mod-dirty").first.wait_for(state="detached")
        notebook = json.loads(as_user(name, "cat", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb").stdout)
        cells = [(c["cell_type"], "".join(c["source"])) for c in notebook["cells"]]
        assert any(answer.strip() in source for _, source in cells), f"{name}'s answer not saved"
        if name == INJECTOR:
            assert ("code", INJECTED_CODE) in cells and ("markdown", INJECTION) in cells, cells
        shot(page, f"{name}_answer")
        assignments_list(page)
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.locator(
            "button", has_text="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()
        shot(page, f"{name}_submitted")

    # The instructor collects in formgrader ...
    formgrader(teacher, hub, INSTRUCTOR, "manage_assignments")
    teacher.locator(row).wait_for()
    click_and_confirm(teacher, f"{row} td.collect a")
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(STUDENTS)
    # ... autogrades the class with nbgrader in a terminal of their server (through the grading service) ...
    teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/lab")
    teacher.locator(".jp-LauncherCard", has_text="Terminal").first.click()
    teacher.locator(".jp-Terminal .xterm-helper-textarea").wait_for(state="attached")
    teacher.locator(".jp-Terminal").first.click()
    teacher.keyboard.type(f"set -o pipefail; cd ~/{COURSE} && nbgrader autograde {ASSIGNMENT} 2>&1 | tee ~/cli.log; "
                          "echo $? > ~/cli.exit\n")
    deadline = time.monotonic() + 600
    while not (home / "cli.exit").exists():
        assert time.monotonic() < deadline, "nbgrader autograde in the terminal did not finish"
        time.sleep(1)
    cli_log = (home / "cli.log").read_text()
    assert (home / "cli.exit").read_text().strip() == "0", cli_log
    assert "grading through the hub's grading service" in cli_log, cli_log
    shot(teacher, "instructor_terminal_autograde")
    after_cli = gradebook_scores()
    assert after_cli["cst-ada"] == 3 and after_cli["cst-alan"] < 3, after_cli
    # ... and one student again with formgrader's autograde button.
    formgrader(teacher, hub, INSTRUCTOR, f"manage_submissions/{ASSIGNMENT}")
    alan = "tr:has(td.student-id:has-text('cst-alan'))"
    dialog = click_and_confirm(teacher, f"{alan} td.autograde a")
    assert "Successfully autograded" in dialog and "grading service" in dialog, dialog
    # Both graded in the sandbox, as the instructor: the record's peak memory comes from the kernel's cgroup.
    for name in STUDENTS:
        graded = course / "autograded" / name / ASSIGNMENT
        record = json.loads((graded / ".convstep-grading.json").read_text())
        assert record["peak_memory"] and record["peak_memory"] > 0, (name, record)
        assert (graded / f"{ASSIGNMENT}.ipynb").stat().st_uid == pwd.getpwnam(INSTRUCTOR).pw_uid
    hub_log = hub["log"].read_text()
    assert len(re.findall(rf"autograde for {INSTRUCTOR} ended with 0", hub_log)) == 2, hub_log[-3000:]
    assert "Formgrader config is not serializable" not in hub_log
    # Both scores, with the roster's names.
    scores = gradebook_scores()
    formgrader(teacher, hub, INSTRUCTOR, f"manage_submissions/{ASSIGNMENT}")
    for name, (first, last) in STUDENTS.items():
        line = teacher.locator(f"tr:has(td.student-id:has-text('{name}'))")
        line.locator("td.score", has_text="/ 3").wait_for()
        assert line.locator("td.student-name").inner_text().strip() == f"{last}, {first}"
        assert line.locator("td.score").inner_text().strip() == f"{scores[name]:g} / 3"
    shot(teacher, "formgrader_scores")
    _assert_clean_console(teacher, "formgrader: manage submissions")
    # A submission's page, opened by the student's name: its math as MathML, nothing from another host.
    open_submission(teacher, hub, "Lovelace, Ada")
    teacher.locator(".live-notebook .glyphicon-eye-open").click()
    assert teacher.locator(".live-notebook a.name-shown").inner_text().strip() == "Lovelace, Ada"
    teacher.locator("math").first.wait_for()
    assert teacher.locator("#notebook-container math").count() >= 3
    assert "\\times" not in teacher.locator("#notebook-container").first.inner_text()
    shot(teacher, "formgrader_submission_math")
    _assert_clean_console(teacher, "formgrader: a submission")
    # The injector's page shows what they wrote (its images are there) and runs none of it.
    open_submission(teacher, hub, "Turing, Alan")
    assert teacher.locator("#notebook-container img[src='x']").count() == 2   # the markdown's and the output's
    teacher.wait_for_timeout(500)   # an image's onerror fires once its load has failed
    assert teacher.evaluate("document.title") != "pwned"
    assert teacher.locator("#notebook-container script, [onerror]").count() == 0
    shot(teacher, "formgrader_submission_injected")
    # Feedback, generated and released in formgrader.
    formgrader(teacher, hub, INSTRUCTOR, "manage_assignments")
    click_and_confirm(teacher, f"{row} td.generate-feedback a")
    click_and_confirm(teacher, f"{row} td.release-feedback a")

    # Each student fetches their own feedback and sees their score.
    for name, page in students.items():
        page.goto(f"{hub['url']}/user/{name}/lab")
        page.locator(".jp-LabShell").wait_for()
        assignments_list(page)
        item = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
        item.locator("button", has_text="Fetch Feedback").click()
        link = page.locator("#submitted_assignments_list a", has_text="view feedback").first
        link.wait_for()
        shot(page, f"{name}_feedback_fetched")
        feedback = sorted(Path(pwd.getpwnam(name).pw_dir, ASSIGNMENT, "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(feedback) == 1, feedback
        relative = feedback[0].relative_to(pwd.getpwnam(name).pw_dir)
        page.goto(f"{hub['url']}/user/{name}/files/{relative}")
        page.locator("#summary").wait_for()
        heading = f"{ASSIGNMENT} (Score: {scores[name]:g} / 3)"
        assert heading in re.sub(r"\s+", " ", page.inner_text("body")), page.inner_text("body")[:2000]
        if name == INJECTOR:   # sanitized for its reader too
            page.wait_for_timeout(500)
            assert page.evaluate("document.title") != "pwned"
        shot(page, f"{name}_feedback")
    # Neither reaches the other's: not their server, not their home, not the exchange's listings.
    for name, other in (("cst-ada", "cst-alan"), ("cst-alan", "cst-ada")):
        page = students[name]
        response = page.goto(f"{hub['url']}/user/{other}/lab")
        assert response.status in (403, 404) or f"/user/{other}/" not in page.url, (name, page.url)
        other_home = pwd.getpwnam(other).pw_dir
        assert as_user(name, "cat", f"{other_home}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb").returncode != 0
        assert as_user(name, "ls", f"{other_home}/{ASSIGNMENT}/feedback").returncode != 0
        for folder in ("inbound", "feedback"):
            listing = as_user(name, "ls", str(hub["folder"] / "exchange" / COURSE / folder))
            assert listing.returncode != 0, (name, folder, listing.stdout)
    print(f"\n[hub] the story took {time.monotonic() - started:.0f} s")
