"""Time marking a class: 30 submissions of the longest lesson through `mhtrain course grade`.

The class is marked with --jobs 1 and --jobs 2 in the same run (the grades must be identical),
and some of it again without the sandbox, to show what the sandbox costs per submission.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat

from mhtrain.course.lessons import lesson_id, lesson_sources, read_lesson
from mhtrain.course.nbgrader import sandbox
from mhtrain.course.tutor import grade_lesson, init_course, model_submission
from mhtrain.errors import MhtrainError

SUBMISSIONS = 30
# What a tutor should be able to expect on a 2-core laptop: a class of 30 marked, with feedback,
# in about five minutes.
PER_SUBMISSION_TARGET_S = 10.0
INIT_TARGET_S = 60.0
# Two processes on 2 cores: nearly twice as fast, less the time spent writing feedback.
SPEED_UP_TARGET = 1.7
# Submissions marked again without the sandbox, to time what the sandbox costs.
UNSANDBOXED = 10


@contextlib.contextmanager
def _no_sandbox() -> Iterator[None]:
    """Mark as on a computer without bubblewrap (for timing only; one process)."""
    saved = sandbox.sandbox_problem
    sandbox.sandbox_problem = lambda: "no sandbox (switched off to time marking without it)"
    try:
        yield
    finally:
        sandbox.sandbox_problem = saved


def longest_lesson() -> Path:
    """Return the lesson source with the most cells (among those that read cleanly)."""
    sizes = {}
    for path in lesson_sources():
        try:
            sizes[path] = len(read_lesson(path).cells)
        except MhtrainError:
            continue
    if not sizes:
        raise MhtrainError("no lesson sources read cleanly; check notebooks/")
    return max(sizes, key=lambda p: (sizes[p], p.name))


def _row(name: str, value: float, unit: str, target: float, notes: str) -> dict:
    return {
        "name": name,
        "value": round(value, 2),
        "unit": unit,
        "target": target,
        "ratio": round(value / target, 3),
        "notes": notes,
    }


def run() -> list[dict]:
    """Make a course of the longest lesson, hand in 30 model answers, and time the marking.

    Returns
    -------
    list of dict
        One row per measurement: name, value, unit, target, ratio, notes.
    """
    path = longest_lesson()
    name = lesson_id(path)
    cells = len(read_lesson(path).cells)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mhtrain-bench-grading-") as tmp:
        root = Path(tmp) / "course"
        start = time.perf_counter()
        init_course(root, lessons=[path])
        rows.append(
            _row(
                "course_init_one_lesson",
                time.perf_counter() - start,
                "s",
                INIT_TARGET_S,
                f"{name}: build, copy data, gradebook, generate_assignment",
            )
        )
        source = read_lesson(path)
        release = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
        answered = model_submission(source, release)
        for i in range(1, SUBMISSIONS + 1):
            folder = root / "submitted" / f"learner{i:02d}" / name
            folder.mkdir(parents=True)
            nbformat.write(answered, folder / f"{name}.ipynb")
        tests = {
            gid: float(cell.metadata["nbgrader"]["points"])
            for gid, cell in source.test_cells.items()
        }
        timed = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            report = grade_lesson(root, name, progress=False, jobs=jobs)
            timed[jobs] = (time.perf_counter() - start, report)
        seconds, report = timed[1]
        full = sum(
            1
            for row in report.rows
            if all(row[t] and float(row[t]) == points for t, points in tests.items())
        )
        sandboxed = "in the sandbox" if report.sandbox_note is None else "WITHOUT a sandbox"
        rows.append(
            _row(
                "grade_per_submission",
                seconds / SUBMISSIONS,
                "s",
                PER_SUBMISSION_TARGET_S,
                f"{name} ({cells} cells), {SUBMISSIONS} model answers, --jobs 1, {sandboxed}; "
                f"autograde and feedback; {full} of {SUBMISSIONS} got every autograded mark, "
                f"{len(report.problems)} had problems",
            )
        )
        rows.append(
            _row(
                "grade_class_of_30_total",
                seconds,
                "s",
                PER_SUBMISSION_TARGET_S * SUBMISSIONS,
                "the whole `mhtrain course grade --jobs 1` run",
            )
        )
        parallel, report_2 = timed[2]
        same = report_2.rows == report.rows
        rows.append(
            _row(
                "grade_speed_up_jobs_2",
                seconds / parallel,
                "x",
                SPEED_UP_TARGET,
                f"--jobs 2 took {parallel:.1f} s against {seconds:.1f} s for --jobs 1; "
                f"grades {'identical' if same else 'DIFFERENT'}",
            )
        )
        if not same:
            raise MhtrainError("--jobs 2 gave other grades than --jobs 1")
        if report.sandbox_note is None:
            few = [f"learner{i:02d}" for i in range(1, UNSANDBOXED + 1)]
            start = time.perf_counter()
            with _no_sandbox():
                plain = grade_lesson(root, name, progress=False, jobs=1, students=few)
            bare = (time.perf_counter() - start) / UNSANDBOXED
            sandboxed_rows = {r["student_id"]: r for r in report.rows}
            same = all(sandboxed_rows[r["student_id"]] == r for r in plain.rows)
            rows.append(
                _row(
                    "grade_per_submission_no_sandbox",
                    bare,
                    "s",
                    PER_SUBMISSION_TARGET_S,
                    f"{UNSANDBOXED} of the same submissions, --jobs 1, without the sandbox: "
                    f"the sandbox adds {seconds / SUBMISSIONS - bare:+.2f} s each; grades "
                    f"{'identical' if same else 'DIFFERENT'}",
                )
            )
    for row in rows:
        print(
            f"{row['name']:<28} {row['value']:>8.2f} {row['unit']}"
            f"  (target {row['target']} {row['unit']})  {row['notes']}"
        )
    return rows


if __name__ == "__main__":
    run()
