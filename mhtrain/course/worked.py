"""Worked answers in words: fill a lesson's answer template in from the data, and show it.

A lesson states each exercise's result in a Markdown cell tagged ``worked-answer``, written
as a template: every ``{{ expression }}`` or ``{{ expression:format_spec }}`` is an f-string
field, evaluated in the lesson's namespace after the worked answer code has run, so every
number on the page comes from the data and none is typed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mhtrain.errors import MhtrainError

__all__ = ["GLUE_PREFIX", "fields", "glue_key", "render", "show"]

#: The name under which the book keeps an exercise's rendered words: ``mhtrain-worked-q1``.
GLUE_PREFIX = "mhtrain-worked-"

_FIELD = re.compile(r"\{\{(.+?)\}\}", re.S)


def fields(template: str) -> list[str]:
    """Return the text inside each ``{{ ... }}`` of a template, stripped, in order."""
    return [match.group(1).strip() for match in _FIELD.finditer(template)]


def glue_key(exercise: str) -> str:
    """Return the name the book glues an exercise's rendered words under."""
    return f"{GLUE_PREFIX}{exercise}"


def _where(exercise: str | None) -> str:
    return f"the worked answer for {exercise}" if exercise else "a worked answer"


def render(template: str, namespace: Mapping[str, Any], *, exercise: str | None = None) -> str:
    """Return a worked-answer template with every field filled in from ``namespace``.

    Parameters
    ----------
    template : str
        Markdown in which ``{{ expression }}`` or ``{{ expression:format_spec }}`` (an
        f-string field, such as ``{{ rate:.1f }}`` or ``{{ residents:, }}``) stands for a value.
    namespace : mapping
        The names the expressions may use: the lesson's namespace after its worked code ran.
    exercise : str, optional
        The exercise id (``"q1"``), named in error messages.

    Returns
    -------
    str
        The Markdown with each field replaced by its formatted value.

    Raises
    ------
    MhtrainError
        If a field is empty, nests braces, or its expression cannot be evaluated or formatted;
        or if ``{{`` or ``}}`` is left unpaired. The message names the exercise and the field.
    """
    names = dict(namespace)  # evaluated in a copy: a template never changes the lesson's names

    def one(match: re.Match[str]) -> str:
        # A field may run over lines; an f-string field may not hold a line break.
        inner = match.group(1).replace("\n", " ").strip()
        shown = "{{ " + inner + " }}"
        if not inner:
            raise MhtrainError(
                f"{_where(exercise)} has an empty field {{{{ }}}}; put a name or an expression in it"
            )
        if "{" in inner or "}" in inner:
            raise MhtrainError(
                f"{_where(exercise)}: {shown} nests braces, which templates do not allow; "
                "write the format after a colon instead, such as {{ n:, }} or {{ rate:.1f }}"
            )
        try:
            # The field is evaluated as an f-string field: the lesson's own text, as in a cell.
            value = eval("f" + repr("{" + inner + "}"), names)
        except NameError as exc:
            raise MhtrainError(
                f"{_where(exercise)}: {shown} uses a name the lesson does not define ({exc}); "
                "define it in the worked answer code or correct the field"
            ) from exc
        except SyntaxError as exc:
            raise MhtrainError(
                f"{_where(exercise)}: {shown} is not a valid expression ({exc.msg}); write a "
                "Python expression, optionally followed by :format_spec"
            ) from exc
        except Exception as exc:  # any error of the lesson's own expression or format
            raise MhtrainError(
                f"{_where(exercise)}: {shown} could not be filled in "
                f"({type(exc).__name__}: {exc}); correct the expression or its format"
            ) from exc
        return value

    text = _FIELD.sub(one, template)
    left = _FIELD.sub("", template)
    if "{{" in left or "}}" in left:
        raise MhtrainError(
            f"{_where(exercise)} has a {{{{ or }}}} without its partner; close every field "
            "as {{ expression }}"
        )
    return text


def show(exercise: str, template: str, namespace: Mapping[str, Any]) -> None:
    """Render an exercise's worked answer and hand it to the page.

    In the book's build (where myst-nb is installed) the words are glued, not displayed,
    under :func:`glue_key`, for the exercise's "Show answer" box to paste. Anywhere else (a
    notebook downloaded from the book) they are shown as Markdown in place.

    Parameters
    ----------
    exercise : str
        The exercise id (``"q1"``).
    template : str
        The lesson's worked-answer template.
    namespace : mapping
        The lesson's namespace (``globals()`` of the notebook).
    """
    from IPython.display import Markdown, display

    words = Markdown(render(template, namespace, exercise=exercise))
    try:
        from myst_nb import glue
    except ImportError:
        display(words)
        return
    glue(glue_key(exercise), words, display=False)
