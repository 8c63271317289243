"""Time the course website build: from clean, unchanged, and after a one-line edit."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from mhtrain.course import bookpages

REPO = Path(__file__).resolve().parents[1]
_GENERATED = ("lessons", "_generated", "references.md", "data-dictionary.md")

# What a contributor should be able to expect on a 2-core machine.
CLEAN_TARGET_S = 600.0
EDIT_TARGET_S = 30.0


def _copy_book(dest: Path) -> Path:
    """Copy the book's own files (not the rest of the repository) into ``dest``."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(
        REPO / "book",
        dest / "book",
        ignore=shutil.ignore_patterns(*_GENERATED),
    )
    return dest


def _timed(root: Path) -> float:
    start = time.perf_counter()
    bookpages.run_jupyter_book(root=root, answers=True, strict=True)
    return time.perf_counter() - start


def _row(name: str, seconds: float, target: float, notes: str) -> dict:
    return {
        "name": name,
        "value": round(seconds, 2),
        "unit": "s",
        "target": target,
        "ratio": round(seconds / target, 3),
        "notes": notes,
    }


def run() -> list[dict]:
    """Build a copy of the book four ways and return the timings.

    Returns
    -------
    list of dict
        One row per measurement: name, value, unit, target, ratio, notes.
    """
    rows = []
    with tempfile.TemporaryDirectory(prefix="mhtrain-bench-book-") as tmp:
        root = _copy_book(Path(tmp))
        start = time.perf_counter()
        pages = bookpages.write_generated_pages(answers=True, root=root)
        rows.append(
            _row(
                "book_generate_pages",
                time.perf_counter() - start,
                EDIT_TARGET_S,
                f"{len(pages['lessons'])} lessons, references, data dictionary",
            )
        )
        rows.append(_row("book_build_clean", _timed(root), CLEAN_TARGET_S, "runs every lesson"))
        rows.append(_row("book_build_unchanged", _timed(root), EDIT_TARGET_S, "nothing to do"))

        with open(root / "book" / "intro.md", "a", encoding="utf-8") as page:
            page.write("\nOne more line of text.\n")
        rows.append(
            _row("book_build_after_page_edit", _timed(root), EDIT_TARGET_S, "home page edited")
        )

        lessons = sorted((root / "book" / "lessons").glob("*.ipynb"))
        if lessons:
            nb = json.loads(lessons[-1].read_text(encoding="utf-8"))
            markdown = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
            source = markdown["source"]
            text = "".join(source) if isinstance(source, list) else source
            markdown["source"] = text + "\n\nOne more line of text."
            lessons[-1].write_text(json.dumps(nb, indent=1), encoding="utf-8")
            rows.append(
                _row(
                    "book_build_after_lesson_text_edit",
                    _timed(root),
                    EDIT_TARGET_S,
                    f"text of {lessons[-1].stem} edited; its code comes from the cache",
                )
            )
    for row in rows:
        print(
            f"{row['name']:<36} {row['value']:>8.1f} {row['unit']}"
            f"  (target {row['target']} s)  {row['notes']}"
        )
    return rows


if __name__ == "__main__":
    run()
