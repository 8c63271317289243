"""mhtrain: synthetic NHS-style mental health records and lessons on inequalities in care.

No real person is in the data: every record is generated from published national statistics.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "broad_ethnic_group",
    "codes",
    "dictionary",
    "generate",
    "load",
    "seed_for_student",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import mhtrain` stays fast in a notebook's first cell.
    if name in {"generate", "Dataset"}:
        from mhtrain import synth

        return getattr(synth, name)
    if name in {"load", "seed_for_student", "codes", "broad_ethnic_group", "dictionary"}:
        from mhtrain import data

        return getattr(data, name)
    raise AttributeError(f"module 'mhtrain' has no attribute {name!r}")
