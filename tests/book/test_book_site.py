"""Fast tests of the website's settings: repository and feedback, contents, citation, licences."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from docutils.core import publish_doctree
from sphinx.errors import ConfigError
from sphinx.util.matching import patfilter

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "book" / "_ext"))
import mhtrain_site  # noqa: E402  (the book's own Sphinx extension, loaded by _config.yml)

pytestmark = pytest.mark.xdist_group("book")

# Written by `mhtrain book`, so not in book/ until a build has run.
GENERATED = {"book/references", "book/data-dictionary"}


def _config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))


def _sphinx_config() -> dict:
    return _config()["sphinx"]["config"]


def _toc() -> dict:
    return yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))


def _lesson_docnames() -> list[str]:
    """The lesson pages the build writes: one per lesson source in notebooks/."""
    return sorted(f"book/lessons/{p.stem}" for p in (REPO / "notebooks").glob("[0-9][0-9]-*.md"))


def _site(url: str = "", launch: dict | None = None) -> tuple[SimpleNamespace, SimpleNamespace]:
    """A stand-in Sphinx application and configuration, as the extension sees them."""
    config = SimpleNamespace(
        html_theme_options={
            "repository_url": url,
            "launch_buttons": launch or {"notebook_interface": "jupyterlab"},
        },
        mhtrain_repository_buttons=["use_repository_button", "use_issues_button"],
        mhtrain_launch_buttons={
            "binderhub_url": "https://binder.example",
            "colab_url": "https://colab.example",
        },
    )
    return SimpleNamespace(tags=set()), config


# --- the repository setting -----------------------------------------------------------------


def test_repository_address_is_one_setting_and_names_no_guessed_account() -> None:
    config = _config()
    url = config["repository"]["url"]
    assert url == "" or url.startswith("https://"), url
    # No button and no launch service is switched on by hand: the extension does it, and only
    # when the address is set.
    for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
        assert not config["html"].get(key), key
    assert not {"binderhub_url", "colab_url", "jupyterhub_url"} & set(config["launch_buttons"])
    # The address is written once, and no page or setting names an account of its own.
    texts = [REPO / "_config.yml", REPO / "_toc.yml", *sorted((REPO / "book").glob("*.md"))]
    for path in texts:
        text = path.read_text(encoding="utf-8")
        if url:
            assert text.count(url) == (path.name == "_config.yml"), path
        assert "github.com/mhtrain" not in text.lower(), path


def test_unset_repository_turns_every_button_and_launch_link_off() -> None:
    app, config = _site("", {"notebook_interface": "jupyterlab", "binderhub_url": "https://b"})
    mhtrain_site.apply_repository_setting(app, config)
    options = config.html_theme_options
    assert options["use_repository_button"] is False
    assert options["use_issues_button"] is False
    assert options["launch_buttons"] == {"notebook_interface": "jupyterlab"}
    assert "repository" not in app.tags


def test_set_repository_turns_the_buttons_and_launch_services_on() -> None:
    app, config = _site("https://github.com/owner/course")
    mhtrain_site.apply_repository_setting(app, config)
    options = config.html_theme_options
    assert options["use_repository_button"] is True and options["use_issues_button"] is True
    assert options["launch_buttons"]["binderhub_url"] == "https://binder.example"
    assert options["launch_buttons"]["colab_url"] == "https://colab.example"
    assert options["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert "repository" in app.tags


def test_colab_is_left_out_for_a_repository_that_is_not_on_github() -> None:
    app, config = _site("https://gitlab.com/owner/course")
    mhtrain_site.apply_repository_setting(app, config)
    launch = config.html_theme_options["launch_buttons"]
    assert launch["binderhub_url"] == "https://binder.example" and "colab_url" not in launch


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/owner/course",
        "https://github.com/course",
        "owner/course",
        "https://git.example.org/owner/course",
    ],
)
def test_a_repository_address_that_is_not_one_is_refused(url: str) -> None:
    app, config = _site(url)
    with pytest.raises(ConfigError, match="repository.url"):
        mhtrain_site.apply_repository_setting(app, config)


# --- the feedback setting -------------------------------------------------------------------


def test_feedback_setting_is_empty_or_an_address_people_can_use() -> None:
    setting = _sphinx_config()["mhtrain_feedback"]
    assert isinstance(setting, str)
    mhtrain_site.feedback_link(setting)  # raises if the setting is not an address


@pytest.mark.parametrize(
    ("setting", "link"),
    [
        ("", ""),
        ("  ", ""),
        (
            "course-feedback@example.org",
            "[course-feedback@example.org](mailto:course-feedback@example.org)",
        ),
        ("mailto:a.b@example.ac.uk", "[a.b@example.ac.uk](mailto:a.b@example.ac.uk)"),
        ("https://forms.example/course", "[the feedback form](https://forms.example/course)"),
    ],
)
def test_feedback_link_for_an_e_mail_address_or_a_form(setting: str, link: str) -> None:
    assert mhtrain_site.feedback_link(setting) == link


@pytest.mark.parametrize("setting", ["feedback", "http://forms.example/x", "a@b", "@example.org"])
def test_feedback_setting_that_is_not_an_address_is_refused(setting: str) -> None:
    with pytest.raises(ConfigError, match="mhtrain_feedback"):
        mhtrain_site.feedback_link(setting)


def test_pages_that_promise_a_feedback_route_say_what_to_do_either_way() -> None:
    for name in ("intro", "accessibility", "code-of-conduct"):
        text = (REPO / "book" / f"{name}.md").read_text(encoding="utf-8")
        assert "```{only} feedback" in text and "{{ feedback_link }}" in text, name
        assert "```{only} not feedback" in text, name
        assert "issues button" not in text.split("```{only} repository")[0], (
            f"{name} names the issues button outside a block shown only with a repository"
        )


# --- page descriptions ----------------------------------------------------------------------


def test_page_description_is_the_first_paragraph_of_the_page_itself() -> None:
    doctree = publish_doctree(
        "Title\n=====\n\n"
        ".. note::\n\n   A note that is long enough to be a description, but is in a box.\n\n"
        "**Content note.** This page mentions restraint, and that is not what it is about.\n\n"
        "- a list item that is long enough to be a description of the page\n\n"
        "This page tells you how rates are worked out from counts and populations.\n"
    )
    assert mhtrain_site.page_description(doctree) == (
        "This page tells you how rates are worked out from counts and populations."
    )


def test_a_long_page_description_is_cut_at_a_word() -> None:
    words = " ".join(["denominator"] * 40)
    description = mhtrain_site.page_description(publish_doctree(words))
    assert len(description) <= mhtrain_site.DESCRIPTION_LENGTH
    assert description.endswith("denominator…")


# --- contents -------------------------------------------------------------------------------


def _entries(node: object, key: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, str):
                found.append(value)
            else:
                found += _entries(value, key)
    elif isinstance(node, list):
        for item in node:
            found += _entries(item, key)
    return found


def _parts() -> dict[str, dict]:
    return {part["caption"]: part for part in _toc()["parts"]}


def _matched(part: dict, docnames: list[str]) -> list[str]:
    found = list(_entries(part, "file"))
    for pattern in _entries(part, "glob"):
        found += list(patfilter(docnames, pattern))
    return found


def test_every_toc_file_is_a_page_a_generated_page_or_a_lesson() -> None:
    lessons = set(_lesson_docnames())
    for entry in [_toc()["root"], *_entries(_toc(), "file")]:
        assert entry.startswith("book/"), entry
        if entry not in GENERATED and entry not in lessons:
            assert (REPO / f"{entry}.md").is_file(), entry


def test_every_written_page_is_in_the_toc() -> None:
    listed = {_toc()["root"], *_entries(_toc(), "file")}
    for page in (REPO / "book").glob("*.md"):
        assert f"book/{page.stem}" in listed, f"{page} is not in _toc.yml, so it would not be built"


@pytest.mark.parametrize("extra", [[], ["book/lessons/15-a-later-lesson", "book/lessons/21-x"]])
def test_toc_puts_every_lesson_in_its_part_once(extra: list[str]) -> None:
    """Lesson 0 starts the book, 1-11 are the lessons, 12 and above go further: today, and
    once more lessons exist."""
    lessons = sorted({*_lesson_docnames(), *extra})
    parts = _parts()
    assert list(parts) == [
        "Start here",
        "Lessons",
        "Going further",
        "Look things up",
        "Teaching and access",
    ]
    # "Next" from the home page is the first entry of the first part: Lesson 0.
    assert _entries(parts["Start here"], "file")[0] == "book/lessons/00-getting-started"
    placed = [doc for part in parts.values() for doc in _matched(part, lessons)]
    for lesson in lessons:
        assert placed.count(lesson) == 1, f"{lesson} is listed {placed.count(lesson)} times"
    number = {doc: int(Path(doc).name[:2]) for doc in lessons}
    assert all(number[d] <= 11 for d in _matched(parts["Lessons"], lessons))
    assert all(number[d] >= 12 for d in _matched(parts["Going further"], lessons))
    # The build lets "Going further" match nothing; every other pattern must match a lesson.
    for caption, part in parts.items():
        if caption != "Going further":
            for pattern in _entries(part, "glob"):
                assert list(patfilter(lessons, pattern)), f"{pattern} matches no lesson"


# --- citation, licences, footer -------------------------------------------------------------


def test_citation_file_names_this_course_and_its_current_version() -> None:
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["message"] and citation["authors"]
    assert citation["title"] == _config()["title"]
    assert citation["version"] == version("mhtrain")
    url = _config()["repository"]["url"]
    assert citation.get("repository-code", "") == url, "CITATION.cff and _config.yml disagree"


def test_each_licence_named_has_its_text_in_the_repository() -> None:
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert set(citation["license"]) == {"CC-BY-4.0", "MIT", "CC0-1.0"}
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    cc_by = (REPO / "LICENSES" / "CC-BY-4.0.txt").read_text(encoding="utf-8")
    assert cc_by.startswith("Creative Commons Attribution 4.0 International")
    cc0 = (REPO / "LICENSES" / "CC0-1.0.txt").read_text(encoding="utf-8")
    assert "CC0 1.0 Universal" in cc0[:200]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    licence = readme[readme.index("## Licence") :]
    for name in ("CC BY 4.0", "MIT", "CC0", "LICENSES/CC-BY-4.0.txt", "CITATION.cff"):
        assert name in licence, name


def test_footer_states_the_version_and_the_licences() -> None:
    footer = _config()["html"]["extra_footer"]
    assert "$version" in footer
    assert "creativecommons.org/licenses/by/4.0/" in footer and "CC BY 4.0" in footer
    assert "MIT" in footer and "CC0" in footer
    assert "${root}book/cite.html" in footer
    assert _sphinx_config()["html_last_updated_fmt"], "pages would carry no date"


def test_config_keeps_words_like_gov_uk_from_becoming_links() -> None:
    config = _sphinx_config()
    assert config["myst_linkify_fuzzy_links"] is False
    assert config["html_context"]["default_mode"] in {"auto", "light", "dark"}
