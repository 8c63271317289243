"""Does a check's message give the reference answer away?"""

from __future__ import annotations

import re


def shows_value(value: float, message: str) -> bool:
    """Whether ``message`` shows ``value`` as a number on its own, rounded in a usual way.

    A digit inside a name ("q2", "Lesson 3") or inside another number ("0.95") is not the value.
    """
    shown = {f"{value:.{d}f}" for d in (1, 2, 3)} | {f"{value:,.0f}", f"{value:g}"}
    # the hint instruction names the exercise, and "Lesson N" names a lesson
    text = re.sub(r"ex\.q\w+\.hint\(\)|Lesson \d+", "", message)
    return any(
        re.search(rf"(?<![\w.]){re.escape(form)}(?![\w]|\.\d)", text)
        for form in shown
        if form not in {"0", "1", "0.0", "1.0"}
    )
