"""Running a course with nbgrader: set it up, collect and mark submissions, give feedback.

``setup`` makes and updates a course folder, ``roster`` reads the class list, ``collect``
brings in notebooks returned without a JupyterHub, and ``grading`` marks them and writes the
grade table and feedback. A course's ``nbgrader_config.py`` imports :func:`course_config`
from here.
"""

from mhtrain.course.nbgrader.config import CONFIG_NAME, CourseOptions, course_config
from mhtrain.course.nbgrader.config import course_config_file_text as config_file_text
from mhtrain.course.nbgrader.preprocessors import (
    DATA_FOLDER,
    CourseExecute,
    LimitOutputSize,
    ScrubFeedback,
)
from mhtrain.course.tutor.collect import collect_submissions
from mhtrain.course.tutor.grading import (
    GRADED,
    GRADED_WITH_PROBLEMS,
    NOT_GRADED,
    NOT_SUBMITTED,
    GradeReport,
    grade_lesson,
    model_submission,
    refresh_feedback,
)
from mhtrain.course.tutor.roster import read_students
from mhtrain.course.tutor.setup import CourseSettings, InitReport, init_course, read_course

__all__ = [
    "CONFIG_NAME",
    "DATA_FOLDER",
    "GRADED",
    "GRADED_WITH_PROBLEMS",
    "NOT_GRADED",
    "NOT_SUBMITTED",
    "CourseExecute",
    "CourseOptions",
    "CourseSettings",
    "GradeReport",
    "InitReport",
    "LimitOutputSize",
    "ScrubFeedback",
    "collect_submissions",
    "config_file_text",
    "course_config",
    "grade_lesson",
    "init_course",
    "model_submission",
    "read_course",
    "read_students",
    "refresh_feedback",
]
