"""The nbgrader configuration: what every build shares, and what a running course adds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mhtrain.course.lessons import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION
from mhtrain.errors import MhtrainError

#: What a solution region becomes in the student version: nothing, because every answer cell
#: already starts with a placeholder line such as ``rate = ...  # replace ... with your answer``.
CODE_STUB = ""
#: What a written (Markdown) answer cell becomes in the student version.
TEXT_STUB = "Write your answer here."
#: Seconds a single cell may run while nbgrader executes a notebook (loading data included).
CELL_TIMEOUT = 120
#: The nbgrader configuration file at the top of a course folder.
CONFIG_NAME = "nbgrader_config.py"
#: How a course's checks answer: a marked course closes every way to the references in the
#: learners' kernels, a formative course gives instant right or wrong for every question.
COURSE_MODES = ("marked", "formative")
#: The mode of a new course (a cohort's work is usually marked).
DEFAULT_MODE = "marked"
#: A line in the configuration file: the tutor's own settings go below it and are kept on update.
KEEP_MARKER = "# Your own settings go below this line; `mhtrain course init` keeps them."


def nbgrader_config(*, course_root: Path | str | None = None) -> Config:
    """Return the traitlets Config for nbgrader that the course build and tutor tools share.

    It sets an empty code stub (answer cells keep their placeholder line), a plain written-answer
    stub, a longer cell timeout, tutor notes removed from released assignments, and feedback
    that never shows hidden tests. Reading it also lets nbgrader make a new gradebook without
    starting a process (:func:`~mhtrain.course.nbgrader.api.read_gradebook_version_here`).

    Parameters
    ----------
    course_root : path, optional
        The nbgrader course directory (holding ``source/``); left unset, nbgrader uses the
        current directory.

    Returns
    -------
    traitlets.config.Config
    """
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import GetGrades

    from mhtrain.course.nbgrader.api import read_gradebook_version_here
    from mhtrain.course.nbgrader.preprocessors import (
        RemoveHiddenTestsFromFeedback,
        RemoveTutorNotes,
    )

    # Read wherever the course's settings are: by mhtrain's commands and by nbgrader's own.
    read_gradebook_version_here()
    c = Config()
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = TEXT_STUB
    c.ClearSolutions.begin_solution_delimeter = BEGIN_SOLUTION
    c.ClearSolutions.end_solution_delimeter = END_SOLUTION
    c.ClearHiddenTests.begin_test_delimeter = BEGIN_HIDDEN
    c.ClearHiddenTests.end_test_delimeter = END_HIDDEN
    c.Execute.timeout = CELL_TIMEOUT
    # Lesson 10 writes a Parquet dataset next to the notebook; never release or collect it.
    c.CourseDirectory.ignore = [
        ".ipynb_checkpoints",
        "*.pyc",
        "__pycache__",
        "feedback",
        "big-data",
    ]
    default_steps = GenerateAssignment.class_traits()["preprocessors"].default()
    c.GenerateAssignment.preprocessors = [RemoveTutorNotes, *default_steps]
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        RemoveHiddenTestsFromFeedback,
        CSSHTMLHeaderPreprocessor,
    ]
    if course_root is not None:
        c.CourseDirectory.root = str(Path(course_root).resolve())
    return c


def config_file_text(**settings: Any) -> str:
    """Return the text of an ``nbgrader_config.py`` that loads :func:`nbgrader_config`.

    Parameters
    ----------
    **settings
        Extra ``CourseDirectory`` settings to write (for example ``course_id="mhtrain-2025"``).
    """
    lines = [
        '"""nbgrader configuration for an mhtrain course; the shared settings live in mhtrain."""',
        "",
        "from mhtrain.course.nbgrader.config import nbgrader_config",
        "",
        "c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)",
        "c.merge(nbgrader_config())",
    ]
    for key, value in sorted(settings.items()):
        lines.append(f"c.CourseDirectory.{key} = {value!r}")
    return "\n".join(lines) + "\n"


def course_config(
    *,
    course_id: str,
    per_student_data: bool = False,
    cell_timeout: int = CELL_TIMEOUT,
    course_root: Path | str | None = None,
    mode: str = DEFAULT_MODE,
) -> Config:
    """Return the nbgrader configuration of an mhtrain course.

    It is the shared configuration (:func:`nbgrader_config`) extended for running a course: the
    course id; marking runs each kernel through ``CourseExecute`` (course data, solutions off,
    each student's own data if chosen) and ``LimitOutputSize``, then ``DecideMarks`` decides
    the marks of ``ex.<id>.grade(...)`` test cells in the grader's process, before nbgrader
    saves them; feedback goes through ``ScrubFeedback`` instead of the shared hidden-test step.
    Released notebooks say the course's mode (``SetCourseMode``).

    Parameters
    ----------
    course_id : str
        The nbgrader course id (with per-student data, part of each student's seed).
    per_student_data : bool, optional
        Whether each student works on, and is marked against, their own dataset.
    cell_timeout : int, optional
        Seconds one cell may run while marking before it is stopped.
    course_root : path, optional
        The course folder.
    mode : {"marked", "formative"}, optional
        How the checks in learners' kernels answer (see :data:`COURSE_MODES`).

    Returns
    -------
    traitlets.config.Config
    """
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, GetGrades, LimitOutput

    from mhtrain.course.nbgrader.preprocessors import (
        CourseExecute,
        DecideMarks,
        LimitOutputSize,
        ScrubFeedback,
        SetCourseMode,
    )

    if mode not in COURSE_MODES:
        raise MhtrainError(
            f"course mode {mode!r} is not one of {', '.join(COURSE_MODES)}; run "
            "`mhtrain course init DIR --mode marked` (or formative)"
        )
    c = nbgrader_config(course_root=course_root)
    c.CourseDirectory.course_id = course_id
    c.Execute.timeout = int(cell_timeout)
    steps: list[Any] = []
    for step in Autograde.class_traits()["autograde_preprocessors"].default():
        steps.append(CourseExecute if step is Execute else step)
        if step is LimitOutput:
            steps += [LimitOutputSize, DecideMarks]
    c.Autograde.autograde_preprocessors = steps
    c.CourseExecute.per_student_data = bool(per_student_data)
    c.CourseExecute.course_mode = mode
    c.DecideMarks.per_student_data = bool(per_student_data)
    c.SetCourseMode.mode = mode
    c.GenerateAssignment.preprocessors = [*c.GenerateAssignment.preprocessors, SetCourseMode]
    c.GenerateFeedback.preprocessors = [GetGrades, ScrubFeedback, CSSHTMLHeaderPreprocessor]
    return c


@dataclass(frozen=True, kw_only=True)
class CourseOptions:
    """The choices ``mhtrain course init`` records in a course's ``nbgrader_config.py``.

    Attributes
    ----------
    course_id : str
        The nbgrader course id.
    per_student_data : bool
        Whether each student has their own dataset.
    cell_timeout : int
        Seconds a cell may run while marking.
    mode : str
        ``"marked"`` or ``"formative"``: how the checks in learners' kernels answer.
    own_settings : str
        The tutor's own lines, kept below :data:`KEEP_MARKER`.
    """

    course_id: str
    per_student_data: bool = False
    cell_timeout: int = CELL_TIMEOUT
    mode: str = DEFAULT_MODE
    own_settings: str = ""


def course_config_file_text(options: CourseOptions) -> str:
    """Return the text of a course's ``nbgrader_config.py``, recording ``options``."""
    lines = [
        f'"""nbgrader settings for the mhtrain course {options.course_id!r}.',
        "",
        "Written by `mhtrain course init`; run it again (with new options) to change these",
        'settings. The course folder is wherever this file is."""',
        "",
        "import os",
        "",
        "from mhtrain.course.tutor import course_config",
        "",
        "c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)",
        "c.merge(",
        "    course_config(",
        f"        course_id={options.course_id!r},",
        f"        per_student_data={bool(options.per_student_data)!r},",
        f"        cell_timeout={int(options.cell_timeout)!r},",
        f"        mode={str(options.mode)!r},",
        "        course_root=os.path.dirname(os.path.abspath(__file__)),",
        "    )",
        ")",
        "",
        KEEP_MARKER,
    ]
    text = "\n".join(lines) + "\n"
    own = options.own_settings.strip("\n")
    return text + (own + "\n" if own else "")
