"""The machinery of declared exercises, split the way Kaggle's learntools splits its own.

- :mod:`~mhtrain.checks.core.state`: which dataset checks compare against, whether solutions show;
- :mod:`~mhtrain.checks.core.results`: the statuses, :class:`CheckResult`, :class:`NotYetError`;
- :mod:`~mhtrain.checks.core.feedback`: the shared words for what is wrong with an answer;
- :mod:`~mhtrain.checks.core.base`: the :class:`Exercise` base class and :class:`Misconception`;
- one module per kind of exercise: :mod:`~mhtrain.checks.core.number`,
  :mod:`~mhtrain.checks.core.table`, :mod:`~mhtrain.checks.core.choice`,
  :mod:`~mhtrain.checks.core.freetext`.

Lesson modules import these names from :mod:`mhtrain.checks`.
"""

from mhtrain.checks.core.base import Exercise, Misconception, exercises_in
from mhtrain.checks.core.choice import ChoiceExercise
from mhtrain.checks.core.feedback import ALIAS
from mhtrain.checks.core.freetext import FreeTextExercise
from mhtrain.checks.core.number import NumberExercise
from mhtrain.checks.core.results import (
    CORRECT,
    NOT_ATTEMPTED,
    NOT_YET,
    RECEIVED,
    CheckResult,
    NotYetError,
    ShownText,
)
from mhtrain.checks.core.state import (
    get_dataset,
    set_solutions_visible,
    solutions_visible,
    use_dataset,
)
from mhtrain.checks.core.table import TableExercise

__all__ = [
    "ALIAS",
    "CORRECT",
    "NOT_ATTEMPTED",
    "NOT_YET",
    "RECEIVED",
    "CheckResult",
    "ChoiceExercise",
    "Exercise",
    "FreeTextExercise",
    "Misconception",
    "NotYetError",
    "NumberExercise",
    "ShownText",
    "TableExercise",
    "exercises_in",
    "get_dataset",
    "set_solutions_visible",
    "solutions_visible",
    "use_dataset",
]
