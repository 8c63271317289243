"""Collecting returned notebooks into a course when there is no JupyterHub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from mhtrain import files
from mhtrain.course.tutor.roster import check_student_id
from mhtrain.course.tutor.setup import read_course, resolve_lesson
from mhtrain.errors import MhtrainError


def collect_submissions(
    root: Path | str,
    lesson: str | int,
    paths: Sequence[Path | str],
    *,
    student: str | None = None,
) -> list[Path]:
    """Put returned notebooks where nbgrader looks for them: ``submitted/<student>/<lesson>/``.

    For courses without a JupyterHub: each file is named ``<student id>.ipynb`` (or give
    ``student`` for a single file); a folder stands for the notebooks in it. The file's
    modification time is recorded as the time it was handed in.

    Parameters
    ----------
    root, lesson : path, and str or int
        The course folder, and the lesson in it by number or id.
    paths : sequence of path
        Notebook files, or folders of them.
    student : str, optional
        The student id, when giving one file whatever its name.

    Returns
    -------
    list of Path
        The notebooks written into ``submitted/``.
    """
    course = read_course(root)
    name = resolve_lesson(course.root, lesson)
    notebooks: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            notebooks.extend(sorted(item.glob("*.ipynb")))
        elif item.is_file():
            notebooks.append(item)
        else:
            raise MhtrainError(f"{item} does not exist; check the path")
    if not notebooks:
        raise MhtrainError("no notebooks (.ipynb files) were given; check the folder")
    if student is not None and len(notebooks) != 1:
        raise MhtrainError("--student goes with exactly one notebook; give one file")
    pairs = []
    for path in notebooks:
        who = check_student_id(student if student is not None else path.stem, str(path))
        pairs.append((who, path))
    ids = [who for who, _ in pairs]
    if len(set(ids)) != len(ids):
        raise MhtrainError("two notebooks are for the same student; keep one per student")
    written = []
    for who, path in pairs:
        folder = course.root / "submitted" / who / name
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        target = folder / f"{name}.ipynb"
        files.copy_file(path, target)
        files.write_text(folder / "timestamp.txt", stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z") + "\n")
        written.append(target)
    return written
