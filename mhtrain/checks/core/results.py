"""What a check gives back: the four statuses, :class:`CheckResult`, and the error ``grade()`` raises."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CORRECT",
    "NOT_ATTEMPTED",
    "NOT_YET",
    "RECEIVED",
    "CheckResult",
    "NotYetError",
    "ShownText",
]

#: Status of an answer that is still the placeholder (``...``), ``None`` or empty.
NOT_ATTEMPTED = "not attempted"
#: Status of an answer that matches the reference within tolerance.
CORRECT = "correct"
#: Status of an answer that was tried but does not match the reference.
NOT_YET = "not yet"
#: Status of a written answer that a tutor grades by hand.
RECEIVED = "received"

#: How each status starts its message.
LABELS = {
    NOT_ATTEMPTED: "Not attempted",
    CORRECT: "Correct",
    NOT_YET: "Not yet",
    RECEIVED: "Thank you",
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer.

    Attributes
    ----------
    exercise_id : str
        Which exercise was checked (``"q1"``).
    status : str
        One of ``"not attempted"``, ``"correct"``, ``"not yet"`` or ``"received"`` (the last
        for written answers).
    message : str
        Plain text that starts with the status in words ("Correct:", "Not yet:", ...).
    misconception : str or None
        The name of the misconception the answer matched, if any.
    """

    exercise_id: str
    status: str
    message: str
    misconception: str | None = None

    @property
    def correct(self) -> bool:
        """Whether the answer was correct."""
        return self.status == CORRECT

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() and grade() have already printed the message as plain text (the most
        # screen-reader-friendly output); showing the returned object again would repeat it.
        return None


class ShownText(str):
    """Text that has already been printed: returned so code can use it, not displayed again."""

    def _ipython_display_(self) -> None:
        return None


def show(text: str) -> ShownText:
    print(text)
    return ShownText(text)


class NotYetError(AssertionError):
    """Raised by ``grade()`` when an answer is not attempted or not correct.

    Being an ``AssertionError``, it makes an nbgrader test cell score zero. In Jupyter it shows
    only its kind message, not a traceback of library code.
    """

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result

    def _render_traceback_(self) -> list[str]:
        return self.result.message.splitlines()
