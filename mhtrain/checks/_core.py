"""Old import path of :mod:`mhtrain.checks.core`, kept while code outside ``checks`` moves over."""

from mhtrain.checks.core import *  # noqa: F403
from mhtrain.checks.core import __all__ as __all__
