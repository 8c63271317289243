"""Does the book build strictly, and does a broken page or a failing lesson stop the build?"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from bs4 import BeautifulSoup

from mhtrain.course.bookpages import run_jupyter_book
from mhtrain.errors import MhtrainError

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

_NOTEBOOK = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A lesson

```{{code-cell}} ipython3
{code}
```
"""


def _small_book(root: Path, *, intro: str, lesson_code: str | None = None) -> Path:
    """Make a two-page book that uses the course's own _config.yml and theme files."""
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    for folder in ("_static", "_ext"):
        shutil.copytree(REPO / "book" / folder, root / "book" / folder)
    toc = "format: jb-book\nroot: book/intro\n"
    (root / "book" / "intro.md").write_text(intro, encoding="utf-8")
    if lesson_code is not None:
        (root / "book" / "lesson.md").write_text(_NOTEBOOK.format(code=lesson_code))
        toc += "chapters:\n  - file: book/lesson\n"
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    return root


def test_public_and_cohort_books_build_with_warnings_as_errors(
    built_books: dict[str, Path],
) -> None:
    for name, html in built_books.items():
        assert (html / "index.html").is_file(), name
        assert (html / "book" / "intro.html").is_file(), name
        log = next(html.parent.glob("*-build.log")).read_text(encoding="utf-8")
        assert "WARNING:" not in log, f"{name} build logged a warning"
    assert built_books["cohort"] != built_books["public"]
    assert built_books["cohort"].is_relative_to(REPO / "_build" / "cohort")


def test_every_lesson_source_becomes_a_page_in_both_books(built_books: dict[str, Path]) -> None:
    sources = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.*"))
    assert sources, "no lesson sources in notebooks/"
    for name, html in built_books.items():
        pages = sorted(p.stem for p in (html / "book" / "lessons").glob("*.html"))
        assert pages == sources, name


def test_a_lesson_cell_that_raises_fails_the_build(tmp_path: Path) -> None:
    root = _small_book(tmp_path, intro="# Home\n", lesson_code="1 / 0")
    with pytest.raises(MhtrainError, match="ZeroDivisionError"):
        run_jupyter_book(root=root, strict=True)


def test_a_working_lesson_builds_and_shows_its_output(tmp_path: Path) -> None:
    root = _small_book(tmp_path, intro="# Home\n", lesson_code="print(6 * 7)")
    html = run_jupyter_book(root=root, strict=True)
    assert "42" in (html / "book" / "lesson.html").read_text(encoding="utf-8")


def test_a_broken_reference_fails_the_build_and_keeps_failing_until_fixed(
    tmp_path: Path,
) -> None:
    root = _small_book(tmp_path, intro="# Home\n\nSee {doc}`no-such-page`.\n")
    for _ in range(2):  # a second, unchanged build must not pass on a cached environment
        with pytest.raises(MhtrainError, match="no-such-page"):
            run_jupyter_book(root=root, strict=True)
    (root / "book" / "intro.md").write_text("# Home\n\nAll links work.\n")
    html = run_jupyter_book(root=root, strict=True)
    assert "All links work." in (html / "book" / "intro.html").read_text(encoding="utf-8")


_SETTINGS_INTRO = """\
# Home

```{only} feedback
Write to {{ feedback_link }}.
```

```{only} not feedback
No feedback address yet.
```

```{only} repository
The repository link is at the top of every page.
```
"""


def _set(root: Path, *, url: str, feedback: str) -> None:
    """Fill in the repository and feedback settings of a small book's _config.yml."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = url
    config["sphinx"]["config"]["mhtrain_feedback"] = feedback
    (root / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def test_repository_and_feedback_settings_switch_their_links_on_and_off(
    tmp_path: Path,
) -> None:
    """Left empty, the settings leave every repository, launch and feedback link out; filled
    in, the real theme shows them."""
    (tmp_path / "unset" / "book").mkdir(parents=True)
    (tmp_path / "set" / "book").mkdir(parents=True)
    unset = _small_book(tmp_path / "unset", intro=_SETTINGS_INTRO, lesson_code="print(1)")
    html = run_jupyter_book(root=unset, strict=True)
    lesson = (html / "book" / "lesson.html").read_text(encoding="utf-8")
    home = (html / "book" / "intro.html").read_text(encoding="utf-8")
    assert "No feedback address yet." in home and "Write to" not in home
    assert "repository link" not in home
    for word in ("mybinder.org", "colab.research.google.com", "/issues", "Source repository"):
        assert word not in lesson and word not in home, word

    root = _small_book(tmp_path / "set", intro=_SETTINGS_INTRO, lesson_code="print(1)")
    _set(root, url="https://gitlab.com/example/course", feedback="course@example.org")
    html = run_jupyter_book(root=root, strict=True)
    lesson = (html / "book" / "lesson.html").read_text(encoding="utf-8")
    home = (html / "book" / "intro.html").read_text(encoding="utf-8")
    mail = [
        a
        for a in BeautifulSoup(home, "html.parser").select('a[href^="mailto:"]')
        if a.get_text() == "course@example.org"
    ]
    assert mail and unquote(mail[0]["href"]) == "mailto:course@example.org"
    assert "No feedback address" not in home
    assert "The repository link is at the top of every page." in home
    assert 'href="https://gitlab.com/example/course"' in lesson
    assert "https://gitlab.com/example/course/-/issues/new" in lesson
    assert "https://mybinder.org/v2/gl/example%2Fcourse/main" in lesson
    assert "colab.research.google.com" not in lesson  # Colab opens GitHub notebooks only


def test_a_feedback_setting_that_is_no_address_stops_the_build(tmp_path: Path) -> None:
    root = _small_book(tmp_path, intro="# Home\n")
    _set(root, url="", feedback="ask your tutor")
    with pytest.raises(MhtrainError):
        run_jupyter_book(root=root, strict=True)
