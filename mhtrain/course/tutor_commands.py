"""Command-line commands for tutors: ``mhtrain course init | collect | grade | feedback |
report``."""

from __future__ import annotations

import argparse
import inspect
from typing import Any


def _lesson_list(text: str) -> list[str]:
    items = [item.strip() for item in text.replace(" ", ",").split(",")]
    items = [item for item in items if item]
    if not items:
        raise argparse.ArgumentTypeError("give lessons by number or id, for example 00,03")
    return items


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the cell timeout must be at least 1 second")
    return value


def _due_pair(text: str) -> tuple[str, str]:
    lesson, sep, when = text.partition("=")
    if not sep or not lesson.strip() or not when.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not LESSON=DATE; write for example 03=2026-12-08 or "
            "03=2026-12-08T17:00+00:00"
        )
    return lesson.strip(), when.strip()


def _due(pairs: list[tuple[str, str]] | None) -> dict[str, str] | None:
    from mhtrain.errors import MhtrainError

    if not pairs:
        return None
    lessons = [lesson for lesson, _ in pairs]
    twice = sorted({lesson for lesson in lessons if lessons.count(lesson) > 1})
    if twice:
        raise MhtrainError(f"--due names lesson {', '.join(twice)} twice; give one date each")
    return dict(pairs)


def _run_init(args: argparse.Namespace) -> int:
    """Make an nbgrader course folder from the lessons, or update one.

    Make an nbgrader course folder: settings, the tutor's version of each lesson (source/),
    the learners' version (release/), the course data and the gradebook. Run it again to
    update the lessons; the gradebook, submissions and marks are kept.
    """
    from mhtrain.course.tutor import init_course

    report = init_course(
        args.dir,
        lessons=args.lessons,
        per_student_data=args.per_student_data,
        course_id=args.course_id,
        students=args.students,
        cell_timeout=args.cell_timeout,
        due=_due(args.due),
        mode=args.mode,
    )
    print(report.next_steps())
    return 0


def _run_collect(args: argparse.Namespace) -> int:
    """Add returned notebooks to the course (when there is no JupyterHub).

    Copy notebooks that learners returned (by email or a learning platform) to
    submitted/<student id>/<lesson>/, where marking finds them. Name each file <student
    id>.ipynb, or give --student for a single file.
    """
    from mhtrain.course.tutor import collect_submissions

    written = collect_submissions(args.dir, args.lesson, args.paths, student=args.student)
    for path in written:
        print(f"Collected {path.parent.parent.name}: {path}")
    print(f"{len(written)} notebook(s) ready to mark with `mhtrain course grade`.")
    return 0


def _run_grade(args: argparse.Namespace) -> int:
    """Mark every submission of a lesson; write grades and feedback.

    Mark every collected submission of a lesson with nbgrader (each in its own kernel), then
    write the grade table (grades/<lesson>.csv, one row per student) and each learner's
    feedback page. Submissions with problems are named at the end; they never stop the
    others from being marked.
    """
    from mhtrain.course.tutor import grade_lesson

    report = grade_lesson(
        args.dir,
        args.lesson,
        students=args.student or None,
        output=args.output,
        progress=not args.quiet,
        require_sandbox=args.require_sandbox,
        jobs=args.jobs,
    )
    print(report.summary())
    return 0


def _run_feedback(args: argparse.Namespace) -> int:
    """Write grades and feedback again, with the marks you gave by hand.

    After marking written answers in Formgrader, write the grade table and every feedback
    page again so they include your marks and comments.
    """
    from mhtrain.course.tutor import refresh_feedback

    report = refresh_feedback(args.dir, args.lesson, output=args.output, progress=not args.quiet)
    print(report.summary())
    return 0


def _run_report(args: argparse.Namespace) -> int:
    """Write a class report of a marked lesson: what to revisit, as HTML and CSV.

    After marking, write a class report of the lesson: what to revisit, how each exercise
    went (correct / not yet / not attempted), the misconceptions the checks named and who
    had them, the scores, lateness, submissions with problems, and who has not handed in. It
    is an HTML page that works offline (index.html) plus CSV files, in reports/<lesson>/ of
    the course.
    """
    from mhtrain.course.tutor.report import write_report

    report, folder = write_report(args.dir, args.lesson, output=args.output)
    print(f"Class report of {report.lesson}: {folder / 'index.html'}")
    print(f"The same figures as CSV: {folder}/*.csv")
    for item in report.revisit():
        print(f"  To revisit: {item}")
    return 0


def _step(steps: Any, name: str, run: Any, *, lesson: bool = True) -> argparse.ArgumentParser:
    """Add one ``mhtrain course`` step, run by ``run``: its docstring's first line is the step's
    help and the rest its description. A step takes a course folder and, most, a lesson."""
    summary, _, rest = inspect.cleandoc(run.__doc__).partition("\n\n")
    parser = steps.add_parser(
        name, help=summary[0].lower() + summary[1:].rstrip("."), description=" ".join(rest.split())
    )
    where = "the course folder" + ("" if lesson else " (made if it does not exist)")
    parser.add_argument("dir", metavar="DIR", help=where)
    if lesson:
        parser.add_argument("lesson", metavar="LESSON", help="the lesson, by number or id")
    parser.set_defaults(func=run)
    return parser


def _table_options(parser: argparse.ArgumentParser, *, quiet: str) -> None:
    parser.add_argument(
        "--output", default=None, metavar="FILE.csv", help="where to write the grade table"
    )
    parser.add_argument("--quiet", action="store_true", help=quiet)


def add_commands(subparsers: Any) -> None:
    """Register ``mhtrain course`` and its steps on the command line's ``subparsers``."""
    course = subparsers.add_parser(
        "course",
        help="run the course for a group with nbgrader: set up, collect, mark, feedback, report",
        description=(
            "Run the lessons as marked assignments for a group, with nbgrader. "
            "The tutor guide (book/tutor-guide.md) explains the weekly cycle."
        ),
    )
    steps = course.add_subparsers(dest="course_command", metavar="STEP")
    steps.required = True

    init = _step(steps, "init", _run_init, lesson=False)
    init.add_argument(
        "--lessons",
        type=_lesson_list,
        default=None,
        metavar="LIST",
        help="lessons by number or id, comma-separated, e.g. 00,03 (default: every lesson for "
        "a new course, the course's own lessons for an update)",
    )
    init.add_argument(
        "--per-student-data",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="give each student their own dataset, made from their student id (default: off; "
        "an update keeps the course's setting)",
    )
    init.add_argument(
        "--course-id",
        default=None,
        metavar="ID",
        help="the course id (default: the folder's name); it cannot change later",
    )
    init.add_argument(
        "--students",
        default=None,
        metavar="FILE.csv",
        help="a class list to add to the gradebook: a CSV file with a column 'id' and, if you "
        "wish, first_name, last_name, email",
    )
    init.add_argument(
        "--cell-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="how long one cell may run while marking before it is stopped (default: 120)",
    )
    init.add_argument(
        "--due",
        action="append",
        type=_due_pair,
        default=None,
        metavar="LESSON=DATE",
        help="a lesson's due date (repeat for more): ISO 8601 with a time zone, e.g. "
        "03=2026-12-08T17:00+00:00, or a date alone for the end of that day in Europe/London; "
        "LESSON=none removes it. nbgrader records lateness against it",
    )
    init.add_argument(
        "--mode",
        choices=("marked", "formative"),
        default=None,
        help="marked: learners' checks give no answers away and multiple-choice checks only "
        "record the answer; formative: instant right or wrong for every question (default: "
        "marked for a new course; an update keeps the course's mode)",
    )

    collect = _step(steps, "collect", _run_collect)
    collect.add_argument(
        "paths", nargs="+", metavar="PATH", help="notebooks, or folders of notebooks"
    )
    collect.add_argument(
        "--student", default=None, metavar="ID", help="the student id, for one notebook"
    )

    grade = _step(steps, "grade", _run_grade)
    grade.add_argument(
        "--student",
        action="append",
        default=[],
        metavar="ID",
        help="mark only this student (repeat for more); default: everyone who handed it in",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="mark N submissions at once (default: the number of processor cores)",
    )
    grade.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to mark where no sandbox (bubblewrap) is available",
    )
    _table_options(grade, quiet="no progress bars")

    feedback = _step(steps, "feedback", _run_feedback)
    _table_options(feedback, quiet="no progress bar")

    report = _step(steps, "report", _run_report)
    report.add_argument(
        "--output",
        default=None,
        metavar="FOLDER",
        help="where to write the report (default: reports/<lesson>/ in the course)",
    )
