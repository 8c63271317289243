"""Marking a mischievous class in the sandbox: no answer cell reaches beyond its own notebook.

One course of lesson 0 is made and one class marked once with ``mhtrain course grade`` (a real
nbgrader run, each kernel in bubblewrap). Each learner below tries one escape the tutor guide
promises is stopped: damaging the course data, editing the gradebook or the nbgrader settings,
planting the tutor's source notebook in ``release/``, reading other files into their own
output, leaving a process running, taking too much memory, opening a network connection.
Each gets the mark their answers earn, nobody else's mark moves, nothing leaks, the problem is
named in the grade table, and the command exits 0. A correct and a blank notebook are the
controls. Without bubblewrap these tests skip (on CI, where it is installed, they fail).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import os
import socket
import subprocess
from pathlib import Path

import nbformat
import pytest

from mhtrain import files
from mhtrain.cli import main
from mhtrain.course.lessons import lesson_sources, read_lesson
from mhtrain.course.tutor import GRADED_WITH_PROBLEMS, model_submission
from mhtrain.course.tutor.scan import COURSE_FILES, NETWORK, PROGRAMS, WRITES
from mhtrain.data import REPO_ROOT

# One class, marked once: every test of this module runs on the same worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-sandbox")]

HERE = Path(__file__).resolve().parent
LESSON = "00-getting-started"
SLEEP_MARK = "31170.25"  # a process started by a learner sleeps this long: found by its number
OWN_NOTE = "# my own note 77815"  # in the correct learner's notebook, so a leak of it shows
EMAIL = "learner{}@example.org"
COPIED = "cells were copied with their marking details (q1-"


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def bwrap() -> str:
    """Path of bwrap (installed on CI by scripts/ensure_bubblewrap.sh if missing)."""
    script = REPO_ROOT / "scripts" / "ensure_bubblewrap.sh"
    result = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, check=False, timeout=600
    )
    if result.returncode == 3 and not on_ci():
        pytest.skip(f"the sandbox tests need bubblewrap: {result.stderr.strip()}")
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail(f"could not provide bubblewrap: {result.stderr.strip()[-500:]}")
    from mhtrain.course.nbgrader.sandbox import sandbox_problem

    sandbox_problem.cache_clear()
    problem = sandbox_problem()
    if problem:
        pytest.fail(f"bubblewrap is installed but {problem}")
    return result.stdout.strip().splitlines()[-1]


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _with_cell(nb, code: str):
    """The notebook with one extra cell of the learner's own, first among the code cells."""
    nb = copy.deepcopy(nb)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code, nbformat.v4.new_code_cell(code))
    return nb


def _with_copy(nb, grade_id: str, *, edit: str = ""):
    """The notebook with one cell copied and pasted below itself, as JupyterLab does it.

    The copy keeps the cell's nbgrader metadata (nbgrader issue 1083) and gets a new cell id.
    """
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if _grade_id(c) == grade_id)
    pasted = copy.deepcopy(nb.cells[index])
    pasted.id = nbformat.v4.new_code_cell().id
    pasted.source = edit + pasted.source
    nb.cells.insert(index + 1, pasted)
    return nb


def _class(root: Path, correct, blank, listener_port: int) -> dict:
    """Return {student: (notebook, answers, problem kinds expected in the grade table)}."""
    data = root / "synthetic_data"
    source = root / "source" / LESSON / f"{LESSON}.ipynb"
    gradebook = root / "gradebook.db"
    config = root / "nbgrader_config.py"
    release = root / "release" / LESSON
    other = root / "submitted" / "b-correct" / LESSON / f"{LESSON}.ipynb"
    lesson_md = REPO_ROOT / "notebooks" / f"{LESSON}.md"
    own = copy.deepcopy(correct)
    answer = next(c for c in own.cells if _grade_id(c) == "q1-answer")
    answer.source += "\n" + OWN_NOTE
    attempt = "try:\n{body}\nexcept Exception as exc:\n    print('stopped:', type(exc).__name__)"

    def tries(*lines: str) -> str:
        return "\n".join(attempt.format(body="    " + line) for line in lines)

    return {
        "a-damage-data": (
            _with_cell(
                correct,
                "import os\n"
                + tries(
                    f"for n in os.listdir({str(data)!r}): open(os.path.join({str(data)!r}, n), "
                    "'w').close()",
                    f"for n in os.listdir({str(data)!r}): os.remove(os.path.join({str(data)!r}, n))",
                ),
            ),
            "correct",
            {WRITES, COURSE_FILES},
        ),
        "b-correct": (own, "correct", set()),
        "c-blank": (blank, "blank", set()),
        "d-gradebook": (
            _with_cell(
                blank,
                "import sqlite3\n"
                + tries(
                    f"db = sqlite3.connect({str(gradebook)!r}); "
                    "db.execute('update grade set auto_score = 0, manual_score = 0'); db.commit()",
                    "db = sqlite3.connect('../../../gradebook.db'); "
                    "db.execute('update grade set auto_score = 99'); db.commit()",
                ),
            ),
            "blank",
            {WRITES, COURSE_FILES},
        ),
        "e-config": (
            _with_cell(
                correct,
                tries(
                    f"open({str(config)!r}, 'a').write('\\nc.Execute.timeout = 1\\n')",
                    "open('../../../nbgrader_config.py', 'a').write('\\nimport os\\n')",
                ),
            ),
            "correct",
            {WRITES, COURSE_FILES},
        ),
        "f-release": (
            _with_cell(
                correct,
                "import shutil\n"
                + tries(
                    f"shutil.copy({str(source)!r}, {str(release / 'answers.ipynb')!r})",
                    f"shutil.copy({str(source)!r}, '../../../release/{LESSON}/{LESSON}.ipynb')",
                ),
            ),
            "correct",
            {WRITES, COURSE_FILES},
        ),
        "g-read": (
            _with_cell(
                correct,
                tries(
                    *(
                        f"print(open({str(path)!r}, errors='replace').read())"
                        for path in (source, other, gradebook, lesson_md)
                    ),
                    "print(open('../../../gradebook.db', errors='replace').read())",
                ),
            ),
            "correct",
            {COURSE_FILES},
        ),
        "h-process": (
            _with_cell(
                correct,
                "import subprocess, sys\n"
                f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep({SLEEP_MARK})'],"
                " start_new_session=True)",
            ),
            "correct",
            {PROGRAMS},
        ),
        "i-memory": (
            _with_cell(correct, "hoard = bytearray(64 * 1024**3)"),
            "correct",
            {"more memory than marking allows"},
        ),
        "j-network": (
            _with_cell(
                correct,
                "import socket\n"
                + tries(
                    f"socket.create_connection(('127.0.0.1', {listener_port}), timeout=3); "
                    "print('CONNECTED')",
                    f"socket.create_connection(('localhost', {listener_port}), timeout=3); "
                    "print('CONNECTED')",
                ),
            ),
            "correct",
            {NETWORK},
        ),
        "k-copied-test": (_with_copy(correct, "q1-test"), "correct", {COPIED}),
        "l-copied-answer": (
            _with_copy(correct, "q1-answer", edit="# the same again, to try it out\n"),
            "correct",
            {COPIED},
        ),
    }


def _snapshot(root: Path) -> dict[str, bytes]:
    """The bytes of every file a learner must not change (data, settings, source, release)."""
    wanted = [
        root / "nbgrader_config.py",
        root / "synthetic_data",
        root / "source",
        root / "release",
    ]
    found = {}
    for top in wanted:
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            if path.is_file():
                found[str(path.relative_to(root))] = path.read_bytes()
    return found


def _sleepers() -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if SLEEP_MARK.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
    return found


@pytest.fixture(scope="module")
def marked(bwrap, tmp_path_factory):
    """One class of lesson 0, marked once in the sandbox through the command line."""
    base = tmp_path_factory.mktemp("sandbox")
    root = base / "course"
    release_path = root / "release" / LESSON / f"{LESSON}.ipynb"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    source = read_lesson(lesson_sources(lessons=[LESSON])[0])
    # The class list holds each learner's e-mail address: none may reach anyone's output.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        class_list = base / "class.csv"
        rows = [["id", "first_name", "last_name", "email"]]
        names = [
            "a-damage-data", "b-correct", "c-blank", "d-gradebook", "e-config",
            "f-release", "g-read", "h-process", "i-memory", "j-network",
            "k-copied-test", "l-copied-answer",
        ]  # fmt: skip
        rows += [[s, f"Learner{i}", "Test", EMAIL.format(i)] for i, s in enumerate(names)]
        with class_list.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        code = main(["course", "init", str(root), "--lessons", "00", "--cell-timeout", "30"]
                    + ["--students", str(class_list)])  # fmt: skip
    assert code == 0, out.getvalue()
    release = nbformat.read(release_path, as_version=4)
    students = _class(root, model_submission(source, release), release, port)
    assert sorted(students) == names
    for student, (nb, _, _) in students.items():
        folder = root / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LESSON}.ipynb")
    before = _snapshot(root)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["course", "grade", str(root), "00", "--quiet", "--require-sandbox", "--jobs", "2"]
        )
    try:
        connection = listener.accept()
    except BlockingIOError:
        connection = None
    listener.close()
    with (root / "grades" / f"{LESSON}.csv").open(encoding="utf-8") as handle:
        table = {row["student_id"]: row for row in csv.DictReader(handle)}
    return {
        "root": root,
        "code": code,
        "stdout": out.getvalue(),
        "rows": table,
        "students": students,
        "before": before,
        "after": _snapshot(root),
        "connection": connection,
        "sleepers": _sleepers(),
        "names": names,
    }


def test_marking_the_class_exits_0_in_the_sandbox(marked):
    assert marked["code"] == 0, marked["stdout"]
    assert "Warning:" not in marked["stdout"]  # the sandbox was there: no warning


def test_each_learner_gets_the_marks_their_answers_earn(marked):
    rows = marked["rows"]
    correct, blank = rows["b-correct"], rows["c-blank"]
    assert float(correct["score"]) > 0
    assert float(blank["score"]) == 0
    for student, (_, answers, _) in marked["students"].items():
        control = correct if answers == "correct" else blank
        for column in ("status", "score", "max_score", "q1-test", "q2-test", "to mark by hand"):
            if column == "status" and marked["students"][student][2]:
                assert rows[student][column] == GRADED_WITH_PROBLEMS, student
                continue
            assert rows[student][column] == control[column], (student, column)


def test_each_escape_is_named_in_the_problems_column(marked):
    for student, (_, _, kinds) in marked["students"].items():
        problems = marked["rows"][student]["problems"]
        for kind in kinds:
            assert kind in problems, (student, problems)
        if not kinds:
            assert problems == "", student


def test_no_file_the_learners_must_not_touch_changed(marked):
    assert marked["after"] == marked["before"]
    data = marked["root"] / "synthetic_data"
    from mhtrain.course.nbgrader.sandbox import damaged_data

    assert damaged_data(data) is None
    assert sorted(p.name for p in (marked["root"] / "release" / LESSON).iterdir()) == [
        f"{LESSON}.ipynb"
    ]


def _outputs(root: Path, student: str) -> str:
    """Everything the learner's cells printed or showed, in the marked copy."""
    nb = nbformat.read(root / "autograded" / student / LESSON / f"{LESSON}.ipynb", as_version=4)
    return "\n".join(str(output) for cell in nb.cells for output in cell.get("outputs", []))


def _feedback(root: Path, student: str) -> str:
    return (root / "feedback" / student / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")


def test_nothing_read_from_elsewhere_reaches_a_learners_output_or_feedback(marked):
    root = marked["root"]
    for student in marked["names"]:
        for text in (_outputs(root, student), _feedback(root, student)):
            assert "BEGIN SOLUTION" not in text, student
            assert "BEGIN HIDDEN" not in text, student
            assert "@example.org" not in text, student
            if student != "b-correct":
                assert OWN_NOTE not in text, student
    # The reading learner was stopped, not just silent: each attempt reports its error.
    assert _outputs(root, "g-read").count("stopped: ") == 5


def test_a_copied_cell_is_marked_once_and_the_notebook_as_handed_in_is_kept(marked):
    root = marked["root"]
    for student in ("k-copied-test", "l-copied-answer"):
        folder = root / "submitted" / student / LESSON
        kept = folder / ".ipynb_checkpoints" / f"{LESSON}-as-handed-in.ipynb"
        assert nbformat.reads(kept.read_text(), as_version=4) == marked["students"][student][0]
        nb = nbformat.read(root / "autograded" / student / LESSON / f"{LESSON}.ipynb", 4)
        ids = [_grade_id(c) for c in nb.cells if _grade_id(c)]
        assert len(ids) == len(set(ids)), student
        assert len(nb.cells) == len(marked["students"]["b-correct"][0].cells) + 1


def test_no_process_started_in_an_answer_cell_outlives_marking(marked):
    assert marked["sleepers"] == []


def test_no_connection_leaves_the_sandbox(marked):
    assert marked["connection"] is None
    printed = _outputs(marked["root"], "j-network")
    assert "CONNECTED" not in printed
    assert printed.count("stopped: ") == 2


def test_the_memory_hog_was_stopped_by_the_limit(marked):
    assert "MemoryError" in _outputs(marked["root"], "i-memory")


def test_marking_one_at_a_time_gives_the_same_grades_as_two_at_once(marked):
    root = marked["root"]
    one_at_a_time = root / "grades" / "one-job.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["course", "grade", str(root), "00", "--quiet", "--jobs", "1"]
                    + ["--output", str(one_at_a_time)])  # fmt: skip
    assert code == 0
    with one_at_a_time.open(encoding="utf-8") as handle:
        again = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert again == marked["rows"]
    assert len(again) == len(marked["names"])


def test_a_damaged_data_copy_is_refused_then_restored_by_course_init(marked):
    root = marked["root"]
    data = root / "synthetic_data"
    victim = sorted(data.glob("*.parquet"))[0]
    original = victim.read_bytes()
    victim.write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["course", "grade", str(root), "00", "--quiet", "--student", "c-blank"])
    assert code != 0
    message = err.getvalue().strip()
    assert len(message.splitlines()) == 1, message
    assert victim.name in message and "course init" in message
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["course", "init", str(root)]) == 0
    assert victim.read_bytes() == original
    assert files.sha256_file(victim) == files.sha256_bytes(original)


def test_require_sandbox_refuses_to_mark_where_there_is_none(marked, monkeypatch):
    from mhtrain.course.nbgrader import sandbox

    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: "no sandbox is available (test)")
    before = (marked["root"] / "grades" / f"{LESSON}.csv").read_bytes()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["course", "grade", str(marked["root"]), "00", "--require-sandbox"])
    assert code != 0
    assert err.getvalue().strip().splitlines() == [
        "mhtrain: error: not marking: no sandbox is available (test)"
    ]
    assert (marked["root"] / "grades" / f"{LESSON}.csv").read_bytes() == before


def test_a_number_of_jobs_below_1_is_refused_in_one_line(marked):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["course", "grade", str(marked["root"]), "00", "--jobs", "0"])
    assert code != 0
    assert err.getvalue().strip().splitlines() == [
        "mhtrain: error: --jobs must be a whole number of 1 or more, not 0"
    ]


def test_the_summary_says_once_and_first_when_there_was_no_sandbox():
    from mhtrain.course.tutor import GradeReport

    note = "no sandbox is available (bubblewrap is not installed)"
    lines = GradeReport(lesson=LESSON, sandbox_note=note).summary().splitlines()
    assert lines[0] == f"Warning: {note}."
    assert sum("sandbox" in line for line in lines) == 1
    assert "Warning" not in GradeReport(lesson=LESSON).summary()
