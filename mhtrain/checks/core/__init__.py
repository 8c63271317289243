"""The machinery of declared exercises, split the way Kaggle's learntools splits its own.

- :mod:`~mhtrain.checks.core.state`: which dataset checks compare against, whether solutions show;
- :mod:`~mhtrain.checks.core.results`: the statuses, :class:`CheckResult`, :class:`NotYetError`;
- :mod:`~mhtrain.checks.core.tolerance`: the one rule for when a number is right, by kind;
- :mod:`~mhtrain.checks.core.feedback`: the shared reasons and words for what is wrong;
- :mod:`~mhtrain.checks.core.slips`: plain help for typing slips, before Python's error;
- :mod:`~mhtrain.checks.core.base`: the :class:`Exercise` base class and :class:`Misconception`;
- one module per kind of exercise: :mod:`~mhtrain.checks.core.number`,
  :mod:`~mhtrain.checks.core.table`, :mod:`~mhtrain.checks.core.choice`,
  :mod:`~mhtrain.checks.core.freetext`.

Lesson modules import these names from :mod:`mhtrain.checks`.
"""

from mhtrain.checks.core import base, choice, freetext, number, results, state, table
from mhtrain.checks.core.base import *  # noqa: F403
from mhtrain.checks.core.choice import *  # noqa: F403
from mhtrain.checks.core.feedback import ALIAS
from mhtrain.checks.core.freetext import *  # noqa: F403
from mhtrain.checks.core.number import *  # noqa: F403
from mhtrain.checks.core.results import *  # noqa: F403
from mhtrain.checks.core.state import *  # noqa: F403
from mhtrain.checks.core.table import *  # noqa: F403

__all__ = [
    "ALIAS",
    *base.__all__,
    *choice.__all__,
    *freetext.__all__,
    *number.__all__,
    *results.__all__,
    *state.__all__,
    *table.__all__,
]
