"""Exercise checks for the lessons: one module per lesson (``lesson00``, ``lesson01``, ...).

The public names (:class:`NumberExercise`, :class:`TableExercise`, :class:`ChoiceExercise`,
:class:`FreeTextExercise`, :class:`Misconception`, :func:`use_dataset`, ...) live in
:mod:`mhtrain.checks.core` and are imported from here.
"""

from mhtrain.checks.core import *  # noqa: F403 (the public names, listed once in core)
from mhtrain.checks.core import __all__ as __all__
