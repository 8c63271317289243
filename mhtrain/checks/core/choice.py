"""Multiple-choice exercises, for learners who answer by reading a table or chart."""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mhtrain.checks.core.base import Exercise, guarded
from mhtrain.checks.core.feedback import ALIAS, NOT_AN_OPTION, OTHER_OPTION, describe_type
from mhtrain.checks.core.results import CORRECT, RECEIVED, CheckResult, ShownText, show
from mhtrain.checks.core.state import MARKED, course_mode
from mhtrain.errors import MhtrainError

__all__ = ["ChoiceExercise"]


#: Words people put before an option's letter ("Chart B", "Question A", "option 2").
_LEAD_WORDS = {
    "option",
    "answer",
    "chart",
    "question",
    "choice",
    "letter",
    "the",
    "is",
    "my",
    "data",
    "about",
}
#: An answer that starts with an option's key and a mark, then gives a reason.
_KEY_THEN_REASON = re.compile(r"^\(?([A-Za-z0-9]{1,2})\s*[).:,\-\u2013]\s+\S")
#: An option text that starts with a code ("SYNP4 Harbourside ...") can be answered by either.
_CODE = re.compile(r"^[A-Z]+[0-9]+[A-Z0-9]*$")


_NUMBER_WORDS = {
    word: str(i)
    for i, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
}


def normalise(text: str) -> str:
    """Lower case, curly quotes straight, punctuation dropped, spaces collapsed, "two" as 2."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    words = re.sub(r"[^\w' ]+", " ", text).split()
    return " ".join(_NUMBER_WORDS.get(word, word) for word in words)


def _without_lead_words(text: str) -> str:
    words = text.split()
    while len(words) > 1 and words[0] in _LEAD_WORDS:
        words = words[1:]
    return " ".join(words)


def _fixed(key: str) -> Callable[[Any], str]:
    def answer(data: Any) -> str:
        return key

    return answer


class ChoiceExercise(Exercise):
    """A multiple-choice exercise, answered the ways people give a choice.

    An answer may be the option's key in any case or spacing (``"b"``, ``" B "``, ``"(b)"``,
    ``"b)"``), with a word before it (``"Chart B"``, ``"Question A"``, ``"option b"``), the
    option's text (ignoring case and punctuation), the key followed by the text, an option
    number as a number (``2`` for the option ``"2"``), the code an option's text starts with
    or the rest of that text (``"SYNP4"`` or the trust's name: what ``idxmax()`` returns for a
    table labelled by code or name), or one of the declared ``aliases``.

    Parameters
    ----------
    id : str
        Short name, ``"q2"``.
    options : mapping of str to str
        Option keys (``"a"``, ``"b"``, ...) and their text, in the order shown.
    answer : str or callable
        The right option key, or ``answer(data)`` giving it from the learner's dataset (when the
        right choice depends on what their table or chart shows).
    aliases : mapping of str to str, or callable, optional
        Other answers that mean an option (text -> key), or ``aliases(data)`` giving them.
    misconceptions : sequence of Misconception, optional
        Use ``Misconception(value="a", message=...)`` to explain why a wrong option is tempting.
    **kwargs
        The common exercise fields: see :class:`Exercise`.
    """

    kind = "choice"
    default_advice = "Look again at the table or chart, and read each option carefully."

    def __init__(
        self,
        id: str,
        *,
        options: Mapping[str, str],
        answer: str | Callable[[Any], str],
        aliases: Mapping[str, str] | Callable[[Any], Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(id, **kwargs)
        if len(options) < 2:
            raise MhtrainError(
                f"exercise {id}: a multiple-choice question needs two options or more"
            )
        self.options = {str(k).lower(): str(v) for k, v in options.items()}
        if isinstance(answer, str) and answer.lower() not in self.options:
            raise MhtrainError(f"exercise {id}: answer {answer!r} is not one of the option keys")
        self._answer = guarded(
            answer if callable(answer) else _fixed(answer.lower()), f"{ALIAS}.{id}._answer()"
        )
        self._aliases = aliases
        self._names = self._option_names()

    def _option_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for key, text in self.options.items():
            names.setdefault(normalise(text), key)
            names.setdefault(_without_lead_words(normalise(text)), key)
            first, _, rest = text.partition(" ")
            if _CODE.match(first) and rest:
                names.setdefault(normalise(first), key)
                names.setdefault(normalise(rest), key)
        for key in self.options:
            names[normalise(key)] = key
        return names

    def _reference(self, data: Any) -> str:
        key = str(self._answer(data)).lower()
        if key not in self.options:
            raise MhtrainError(
                f"exercise {self.id}: the right answer {key!r} is not one of the options"
            )
        return key

    def _alias_names(self, data: Any) -> dict[str, str]:
        if self._aliases is None:
            return {}
        aliases = self._aliases(data) if callable(self._aliases) else self._aliases
        return {normalise(str(k)): str(v).lower() for k, v in aliases.items()}

    def option_key(self, answer: Any, *, data: Any = None) -> str | None:
        """Return the option key ``answer`` means, or None if it means none of them."""
        if isinstance(answer, list | tuple) and len(answer) == 1:
            answer = answer[0]  # ["b"]: one choice in a list
        if isinstance(answer, numbers.Integral | np.integer) and not isinstance(answer, bool):
            answer = str(int(answer))
        elif isinstance(answer, numbers.Real | np.floating) and float(answer).is_integer():
            answer = str(int(answer))
        if not isinstance(answer, str):
            return None
        names = dict(self._names)
        if data is not None:
            names |= self._alias_names(data)
        text = normalise(answer)
        if text in names:
            return names[text]
        words = _without_lead_words(text).split()
        if " ".join(words) in names:
            return names[" ".join(words)]
        if len(words) > 1 and words[0] in self.options:
            rest = " ".join(words[1:])
            if rest == normalise(self.options[words[0]]):
                return words[0]
        # "b) because ...", "B - its axis ...", "c: ...": a key, then punctuation, then words.
        lead = _KEY_THEN_REASON.match(answer.strip())
        if lead and lead.group(1).lower() in self.options:
            return lead.group(1).lower()
        return None

    def _letters(self) -> str:
        keys = [f'"{k}"' for k in self.options]
        return ", ".join(keys[:-1]) + f" or {keys[-1]}"

    def _format_problem(self, answer: Any) -> str | None:
        if self.option_key(answer) is not None:
            return None
        if isinstance(answer, str | numbers.Real | np.number) and not isinstance(answer, bool):
            return None  # perhaps an alias, which needs the data: _compare says
        return (
            f"Your answer is {describe_type(answer)}. Answer with the letter of your choice "
            f"in quote marks: {self._letters()}."
        )

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        key = self.option_key(answer, data=data)
        if key is None:
            return self._not_yet(
                f"That is not one of the options. Answer with one letter in quote marks, "
                f"{self._letters()}, or copy the text of the option. Run "
                f"{ALIAS}.{self.id}.show_options() to see them.",
                NOT_AN_OPTION,
            )
        if course_mode() == MARKED:
            # Right or wrong here would let a learner try every letter before handing in.
            return self._result(
                RECEIVED,
                f"your answer ({key}) is recorded. It is marked when you hand the lesson in, "
                "so this check does not say whether it is right.",
            )
        return self._judge(key, data)

    def _judge(self, key: str, data: Any) -> CheckResult:
        if key == self.expected(data=data):
            return self._result(CORRECT, "well done, that is the right choice.")
        for misconception, wrong in self._misconception_values(data):
            if str(wrong).lower() == key:
                return self._not_yet(misconception.message, misconception.name)
        return self._not_yet(f"That is not the best choice. {self.advice}", OTHER_OPTION)

    def show_options(self) -> ShownText:
        """Print the options with their letters and return the text."""
        text = "\n".join(f"{k}) {v}" for k, v in self.options.items())
        return show(text)
