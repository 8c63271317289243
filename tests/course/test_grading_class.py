"""Marking a mischievous class: no answer cell reaches beyond its own notebook, and no code in
the learner's kernel changes a mark.

One course of lesson 0 is made and one class marked once with ``mhtrain course grade --jobs 2
--require-sandbox`` (a real nbgrader run, each kernel in bubblewrap). Each learner below tries
one escape the tutor guide promises is stopped (damaging the course data, editing the
gradebook or the nbgrader settings, planting the tutor's source notebook in ``release/``,
reading other files into their own output, leaving a process running, taking too much memory,
opening a network connection) or one cheat the grader must see through (patching or
redefining the checks, changing a tolerance, switching the dataset, asking for the
references, trying every letter, an answer that claims to equal anything). Each gets the mark
their honest work earns, nobody else's mark moves, nothing leaks, the problem is named in the
grade table and the marking record, and the command exits 0. A correct, a blank, a partly
right notebook and one with a named misconception are the controls. Without bubblewrap these
tests skip (on CI, where it is installed, they fail).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
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
from mhtrain.course.tutor.scan import COURSE_FILES, ENVIRONMENT, NETWORK, PROGRAMS, WRITES
from mhtrain.data import REPO_ROOT

# One class, marked once: every test of this module runs on the same worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-class")]

HERE = Path(__file__).resolve().parent
LESSON = "00-getting-started"
SLEEP_MARK = "31170.25"  # a process started by a learner sleeps this long: found by its number
OWN_NOTE = "# my own note 77815"  # in the correct learner's notebook, so a leak of it shows
EMAIL = "learner{}@example.org"
COPIED = "cells were copied with their marking details (q1-"
CHECKS = "reaches into the checks or course settings"
#: What each kind of honest work earns, exercise by exercise (the fair tutor's judgement).
EARNS = {
    "correct": {"q1": True, "q2": True},
    "blank": {"q1": False, "q2": False},
    "partly": {"q1": True, "q2": False},
    "misconception": {"q1": False, "q2": False},
    "q2-only": {"q1": False, "q2": True},
}


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
        **_cheats(correct, blank),
    }


def _answered(nb, **answers: str):
    """The notebook with the named answer cells' code replaced."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        key = (_grade_id(cell) or "").replace("-answer", "")
        if key in answers:
            cell.source = answers[key]
    return nb


def _after_import(nb, code: str):
    """The notebook with one cell of the learner's own right after the checks are loaded."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if "import lesson00 as ex" in c.source)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(code))
    return nb


def _cheats(correct, blank) -> dict:
    """Learners who try to get marks their answers do not earn, and the other controls.

    Each value: (notebook, the honest work it holds (a key of EARNS), problems named).
    """
    blank_q1 = "percent_in_contact = ...  # replace ... with your answer"
    blank_q2 = 'answer_q2 = ...  # replace ... with "a", "b" or "c"'
    right_q1 = "percent_in_contact = people_in_contact / residents * 100"
    proportion = "percent_in_contact = people_in_contact / residents"
    always = (
        "class Always:\n    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n"
    )
    return {
        "m-patch-grade": (
            _after_import(
                blank,
                "ex.q1.grade = lambda *a, **k: None\nex.q2.grade = lambda *a, **k: None\n"
                "ex.q2.assert_answered = lambda *a, **k: None",
            ),
            "blank",
            {CHECKS, "sets ex.q1.grade"},
        ),
        "n-patch-evaluate": (
            _after_import(
                blank,
                "from mhtrain.checks.core import base, results\n"
                "base.Exercise.evaluate = lambda self, *a, **k: "
                "results.CheckResult(self.id, 'correct', 'Correct: well done')\n"
                "base.is_placeholder = lambda answer: False",
            ),
            "blank",
            {CHECKS, "sets base.Exercise.evaluate"},
        ),
        "o-patch-value": (
            _answered(
                _after_import(
                    correct,
                    "from mhtrain.checks import ValueExercise, NumberExercise\n"
                    "from mhtrain.checks.core import results\n"
                    "NumberExercise._compare = lambda self, answer, data: "
                    "results.CheckResult(self.id, 'correct', 'Correct: yes')\n"
                    "ValueExercise._format_problem = lambda self, answer: None",
                ),
                q1="percent_in_contact = 'six or so'",
            ),
            "q2-only",
            {CHECKS, "sets NumberExercise._compare"},
        ),
        "p-redefine-ex": (
            _after_import(
                blank,
                "class Anything:\n    def __getattr__(self, name):\n        return self\n"
                "    def __call__(self, *args, **kwargs):\n        return None\n"
                "ex = Anything()",
            ),
            "blank",
            {CHECKS, "redefines ex"},
        ),
        "q-tolerance": (
            _answered(
                _after_import(
                    correct,
                    "from mhtrain.checks.core import tolerance\n"
                    "tolerance.matches = lambda *a, **k: True\n"
                    "ex.q1.rel_tol = 1e9\nex.q1.quantity = ex.q1.quantity.__class__",
                ),
                q1=proportion,
            ),
            "q2-only",
            {CHECKS, "sets ex.q1.rel_tol"},
        ),
        "r-environ": (
            _after_import(
                correct,
                "import os\nos.environ['MHTRAIN_STUDENT'] = 'b-correct'\n"
                "os.environ['MHTRAIN_DATA_DIR'] = '/nowhere'",
            ),
            "correct",
            {CHECKS, ENVIRONMENT, "MHTRAIN_STUDENT"},
        ),
        "t-use-dataset": (
            _answered(
                _after_import(
                    correct,
                    "import types\nimport mhtrain\nfrom mhtrain.checks import use_dataset\n"
                    "public = mhtrain.load()\n"
                    "few = types.SimpleNamespace(people=public.people.head(100), "
                    "population=public.population, tables={}, truth={}, seed=1)\n"
                    "use_dataset(few)",
                ),
                q1="percent_in_contact = 100 / residents * 100",
            ),
            "q2-only",
            {CHECKS, "use_dataset"},
        ),
        "u-expected": (
            _answered(blank, q1="percent_in_contact = ex.q1.expected()"),
            "blank",
            {CHECKS, "ex.q1.expected()"},
        ),
        "v-reference": (
            _answered(
                blank,
                q1="percent_in_contact = ex.q1._reference(data)",
                q2="answer_q2 = ex.q2._answer(data)",
            ),
            "blank",
            {CHECKS, "reads ex.q1._reference"},
        ),
        "w-solution-text": (
            _answered(blank, q1=f"{blank_q1}\nexec(ex.q1.solution_text)"),
            "blank",
            {CHECKS, "reads ex.q1.solution_text"},
        ),
        "x-getsource": (
            _answered(
                blank,
                q1="import inspect\nsource = inspect.getsource(ex.q1.grade)\n"
                "percent_in_contact = ex.q1.__closure__",
            ),
            "blank",
            {CHECKS, "inspect"},
        ),
        "y-every-letter": (
            _answered(
                correct,
                q2=f"{blank_q2}\nfor letter in 'abc':\n"
                "    if ex.q2.evaluate(letter).status == 'correct':\n"
                "        answer_q2 = letter",
            ),
            "partly",
            set(),
        ),
        "z-not-plain": (
            _answered(
                blank,
                q1=always + "percent_in_contact = Always()",
                q2=always + "class Letter(str):\n    def __eq__(self, other):\n"
                "        return True\n    __hash__ = str.__hash__\nanswer_q2 = Letter('a')",
            ),
            "blank",
            set(),
        ),
        "za-partly": (_answered(correct, q2=blank_q2), "partly", set()),
        "zb-misconception": (
            _answered(correct, q1=proportion, q2='answer_q2 = "a"'),
            "misconception",
            set(),
        ),
        "zc-right-q1-rounded": (
            _answered(correct, q1=f"{right_q1}\npercent_in_contact = round(percent_in_contact, 1)"),
            "correct",
            set(),
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
            "k-copied-test", "l-copied-answer", "m-patch-grade", "n-patch-evaluate",
            "o-patch-value", "p-redefine-ex", "q-tolerance", "r-environ", "t-use-dataset",
            "u-expected", "v-reference", "w-solution-text", "x-getsource", "y-every-letter",
            "z-not-plain", "za-partly", "zb-misconception", "zc-right-q1-rounded",
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
    record = json.loads((root / "grades" / f"{LESSON}-marking.json").read_text(encoding="utf-8"))
    return {
        "root": root,
        "record": record,
        "release": release,
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


def _points(release) -> dict[str, float]:
    """Points of each auto-graded test cell, from the released notebook's own metadata."""
    return {
        _grade_id(c): float(c.metadata["nbgrader"]["points"])
        for c in release.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code"
    }


def test_marking_the_class_is_a_class_of_at_least_25(marked):
    assert len(marked["names"]) >= 25
    assert sorted(marked["rows"]) == sorted(marked["names"])


def test_each_learner_gets_the_marks_their_honest_work_earns(marked):
    rows = marked["rows"]
    points = _points(marked["release"])
    assert set(points) == {"q1-test", "q2-test"}
    correct, blank = rows["b-correct"], rows["c-blank"]
    for student, (_, work, _) in marked["students"].items():
        earns = EARNS[work]
        expected = {f"{q}-test": points[f"{q}-test"] if earns[q] else 0.0 for q in earns}
        for column, value in expected.items():
            assert float(rows[student][column]) == value, (student, column)
        # Written answers follow the notebook the learner started from; nobody marked them yet.
        base = blank if work == "blank" else correct
        for column in ("q3-reflection", "to mark by hand", "max_score"):
            assert rows[student][column] == base[column], (student, column)
        assert float(rows[student]["score"]) == sum(expected.values()) + float(
            base["q3-reflection"] or 0
        ), student
        problems = bool(marked["students"][student][2]) or rows[student]["problems"] != ""
        if not problems:
            assert rows[student]["status"] == "graded", student
        else:
            assert rows[student]["status"] == GRADED_WITH_PROBLEMS, student


def test_the_marking_record_gives_each_exercise_its_outcome_and_points(marked):
    record, rows = marked["record"], marked["rows"]
    points = _points(marked["release"])
    for student, (_, work, _) in marked["students"].items():
        entry = record[student]
        assert entry["status"] == rows[student]["status"], student
        for problem in entry["problems"]:
            assert problem in rows[student]["problems"], (student, problem)
        assert bool(entry["problems"]) == bool(rows[student]["problems"]), student
        exercises = entry["exercises"]
        assert list(exercises) == ["q1", "q2", "q3"], student
        for q, right in EARNS[work].items():
            mark = exercises[q]
            assert mark["max_score"] == points[f"{q}-test"], (student, q)
            assert mark["score"] == (points[f"{q}-test"] if right else 0.0), (student, q)
            assert float(rows[student][f"{q}-test"]) == mark["score"], (student, q)
            assert (mark["outcome"] == "correct") == right, (student, q, mark)
        assert exercises["q3"]["outcome"] == ("not attempted" if work == "blank" else "manual")


def test_the_record_names_the_misconception_and_the_unattempted(marked):
    record = {s: r["exercises"] for s, r in marked["record"].items()}
    wrong = record["zb-misconception"]
    assert wrong["q1"] == {
        "outcome": "not yet",
        "misconception": "proportion-not-percentage",
        "score": 0.0,
        "max_score": wrong["q1"]["max_score"],
    }
    assert wrong["q2"]["misconception"] == "deidentified-not-synthetic"
    for student in ("c-blank", "m-patch-grade", "n-patch-evaluate", "p-redefine-ex", "u-expected"):
        assert record[student]["q1"]["outcome"] == "not attempted", student
        assert record[student]["q2"]["outcome"] == "not attempted", student
    assert record["za-partly"]["q2"]["outcome"] == "not attempted"
    assert record["y-every-letter"]["q2"]["outcome"] == "not attempted"
    assert record["q-tolerance"]["q1"]["misconception"] == "proportion-not-percentage"
    assert record["t-use-dataset"]["q1"]["outcome"] == "not yet"
    for q in ("q1", "q2"):
        assert record["z-not-plain"][q]["misconception"] == "not-plain-data", q
        assert record["b-correct"][q] == {
            "outcome": "correct",
            "misconception": None,
            "score": record["b-correct"][q]["max_score"],
            "max_score": record["b-correct"][q]["max_score"],
        }


def test_feedback_shows_the_graders_verdict_not_the_kernels(marked):
    root = marked["root"]
    for student in ("m-patch-grade", "n-patch-evaluate", "p-redefine-ex"):
        nb = nbformat.read(root / "autograded" / student / LESSON / f"{LESSON}.ipynb", 4)
        test = next(c for c in nb.cells if _grade_id(c) == "q1-test")
        assert [o["output_type"] for o in test.outputs] == ["error"], student
        assert test.outputs[0]["evalue"].startswith("Not attempted:"), student
        assert "Not attempted:" in _feedback(root, student), student
    nb = nbformat.read(root / "autograded" / "b-correct" / LESSON / f"{LESSON}.ipynb", 4)
    test = next(c for c in nb.cells if _grade_id(c) == "q2-test")
    assert [o["output_type"] for o in test.outputs] == ["stream"]
    assert test.outputs[0]["text"].startswith("Correct:")
    not_plain = _feedback(root, "z-not-plain")
    assert "type Always, which marking cannot read" in not_plain
    assert "type Letter, which marking cannot read" in not_plain


def test_a_marked_course_gives_the_kernel_no_reference_and_records_choices(marked):
    root = marked["root"]
    for student, shown in (
        ("u-expected", "ex.q1.expected() is not available in a marked course"),
        ("v-reference", "is not available in a marked course"),
        ("w-solution-text", "ex.q1.solution_text is not available in a marked course"),
    ):
        assert shown in _outputs(root, student), student
    nb = nbformat.read(root / "autograded" / "b-correct" / LESSON / f"{LESSON}.ipynb", 4)
    check = next(c for c in nb.cells if c.source.strip() == "ex.q2.check(answer_q2)")
    printed = "".join(o.get("text", "") for o in check.outputs)
    assert printed.startswith("Thank you: your answer (b) is recorded."), printed
    assert "right choice" not in printed


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
