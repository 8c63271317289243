"""Lessons and book pages speak of NHS Digital only in the past: it joined NHS England in 2023."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*(ROOT / "notebooks").glob("*.md"), *(ROOT / "book").glob("*.md")])

#: Words that place NHS Digital in the past, or say what became of it.
_PAST = re.compile(
    r"\b(joined|merged|now part of|until 20\d\d|once|was|were|used to|formerly|would|then)\b",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return re.split(r"(?<=[.!?])\s+(?=[A-Z(*])", flat)


def current_tense_mentions(text: str) -> list[str]:
    """Sentences that name NHS Digital without placing it in the past."""
    return [s for s in _sentences(text) if "NHS Digital" in s and not _PAST.search(s)]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_speaks_of_nhs_digital_as_a_current_body(page):
    found = current_tense_mentions(page.read_text(encoding="utf-8"))
    assert not found, (
        f"{page.name} names NHS Digital as if it still existed; it joined NHS England on "
        f"1 February 2023 (say NHS England, or say 'published by NHS Digital, now part of NHS "
        f"England'): {found[0][:160]}"
    )


def test_the_check_catches_a_current_tense_mention_and_allows_a_historic_one():
    assert current_tense_mentions(
        "Data are published monthly by NHS England. NHS Digital sends it."
    )
    assert current_tense_mentions("Source: Mental Health Act Statistics 2019-20, NHS Digital.")
    assert current_tense_mentions("Figures published by NHS Digital show a gap.")
    assert not current_tense_mentions(
        "The report was published by NHS Digital, now part of NHS England."
    )
    assert not current_tense_mentions("NHS Digital joined NHS England in 2023.")


def test_the_references_page_marks_nhs_digital_as_part_of_nhs_england():
    from mhtrain.course.bookpages import render_references
    from mhtrain.specload import load_sources

    text = render_references(load_sources())
    for line in text.splitlines():
        if "NHS Digital" in line:
            assert "now part of NHS England" in line, line
