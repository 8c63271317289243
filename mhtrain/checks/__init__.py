"""Exercise checks for the lessons: one module per lesson (``lesson00``, ``lesson01``, ...).

Importing it in IPython also installs plain help for typing slips
(:func:`~mhtrain.checks.core.slips.install_helpers`). The public names (:class:`NumberExercise`, :class:`TableExercise`, :class:`ChoiceExercise`,
:class:`FreeTextExercise`, :class:`Misconception`, :func:`use_dataset`, ...) live in
:mod:`mhtrain.checks.core` and are imported from here.
"""

from mhtrain.checks.core import *  # noqa: F403 (the public names, listed once in core)
from mhtrain.checks.core import __all__ as __all__
from mhtrain.checks.core.slips import install_helpers

# In a notebook, typing slips (answer = b, 6.6%) get plain help before Python's error.
install_helpers()
