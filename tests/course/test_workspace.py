"""The learner's workspace: no stopping test cells, working links, JupyterLab without tutor tools."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from mhtrain.course.build import (
    build_student_notebooks,
    self_paced_notebook,
    student_notebook,
)
from mhtrain.course.lab import (
    DISABLED_LAB_PLUGINS,
    DISABLED_SERVER_EXTENSIONS,
    lab_launch,
    prepare_workspace,
)
from mhtrain.course.lessons import is_test, lesson_sources, read_lesson
from mhtrain.course.workspace_pages import (
    PAGES_DIR,
    plain_markdown,
    point_links_at_pages,
    workspace_pages,
)

LESSONS = lesson_sources()
# Markdown links and images: [words](target) and ![alt](target).
_LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HTML_LINK = re.compile(r"""(?:href|src)=["'](?P<target>[^"']+)["']""")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace of every lesson, as `mhtrain lab` makes it."""
    folder = tmp_path_factory.mktemp("workspace") / "workspace"
    prepare_workspace(folder)
    return folder


def _notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


# ------------------------------------------------------------------------------------------
# No test cells, no "marked later"
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_self_paced_notebook_is_the_release_without_its_test_cells(path):
    lesson = read_lesson(path)
    release = student_notebook(lesson)
    self_paced = self_paced_notebook(lesson)
    assert not [c for c in self_paced.cells if is_test(c)]
    kept = [c.id for c in release.cells if not is_test(c)]
    assert [c.id for c in self_paced.cells] == kept
    if lesson.test_cells:  # the cohort release still has them, so nbgrader marks blanks 0
        assert any(is_test(c) for c in release.cells)
    # Every exercise with a test cell still has a check cell in the workspace.
    checked = {
        m.group(1)
        for c in self_paced.cells
        if c.cell_type == "code"
        for m in re.finditer(r"\bex\.(\w+)\.check\(", c.source)
    }
    for test in lesson.test_cells.values():
        exercise = re.search(r"\bex\.(\w+)\.(?:grade|assert_answered)\(", test.source).group(1)
        assert exercise in checked, f"{lesson.id}: {exercise} has a test cell but no check cell"


def test_no_workspace_notebook_says_an_answer_is_marked_later(workspace):
    for path in _notebooks(workspace):
        text = path.read_text(encoding="utf-8").lower()
        assert "marked later" not in text, path.name
        assert ".grade(" not in text and "assert_answered(" not in text, path.name


# ------------------------------------------------------------------------------------------
# Every link resolves
# ------------------------------------------------------------------------------------------


def _anchors(markdown: str) -> set[str]:
    """The heading anchors JupyterLab gives a Markdown page (spaces become dashes)."""
    return {
        line.lstrip("#").strip().replace(" ", "-")
        for line in markdown.split("\n")
        if re.match(r"^#{1,6} ", line)
    }


def test_every_link_in_every_workspace_notebook_resolves(workspace):
    checked = 0
    for path in _notebooks(workspace):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            targets = [m.group("target") for m in _LINK.finditer(cell.source)]
            targets += [m.group("target") for m in _HTML_LINK.finditer(cell.source)]
            for target in targets:
                checked += 1
                if re.match(r"^(https?|mailto):", target):
                    continue  # the web: not checked offline
                file_part, _, anchor = target.partition("#")
                where = f"{path.name} cell {i + 1}: {target}"
                if not file_part:
                    assert anchor in _anchors("\n".join(c.source for c in nb.cells)), where
                    continue
                linked = (path.parent / file_part).resolve()
                assert linked.is_file(), where
                assert linked.is_relative_to(workspace.resolve()), where
                if anchor and linked.suffix == ".md":
                    assert anchor in _anchors(linked.read_text(encoding="utf-8")), where
    assert checked > 50  # the lessons link to the glossary and pages many times


def test_links_between_the_workspace_pages_resolve(workspace):
    pages = sorted((workspace / PAGES_DIR).glob("*.md"))
    assert {p.name for p in pages} >= {"glossary.md", "about-the-data.md"}
    for page in pages:
        for match in _LINK.finditer(page.read_text(encoding="utf-8")):
            target = match.group("target")
            if not re.match(r"^(https?|mailto):", target):
                assert (page.parent / target.partition("#")[0]).is_file(), f"{page.name}: {target}"


def test_the_glossary_in_the_workspace_is_plain_markdown(workspace):
    text = (workspace / PAGES_DIR / "glossary.md").read_text(encoding="utf-8")
    assert "```{glossary}" not in text and "{term}" not in text
    assert "## Median\n" in text  # one heading per term
    for page in (workspace / PAGES_DIR).glob("*.md"):
        words = page.read_text(encoding="utf-8")
        assert not re.search(r"\{[a-z]+\}`", words), f"{page.name} keeps a MyST role"
        assert not re.search(r"^```\{", words, re.M), f"{page.name} keeps a MyST directive"


def test_links_to_a_page_the_workspace_lacks_keep_their_words():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "See the [glossary](../glossary.md), the [guide](../tutor-guide.md#marking) "
            "and [an NHS page](https://www.england.nhs.uk/) [1]."
        )
    ]
    point_links_at_pages(nb, ["glossary.md"])
    assert nb.cells[0].source == (
        f"See the [glossary]({PAGES_DIR}/glossary.md), the guide and "
        "[an NHS page](https://www.england.nhs.uk/) [1]."
    )


def test_plain_markdown_turns_myst_into_what_jupyterlab_shows():
    pages = {
        "glossary.md": "# Glossary\n\n```{glossary}\n:sorted:\n\nRate\n  A count per "
        "{term}`person-time <Person time>`.\n  Second line.\n\nMedian\n  The middle value.\n```\n",
        "about.md": "# About\n\n(about-label)=\nSee {doc}`glossary` and {doc}`the rules <rules>`."
        "\n\n```{include} _generated/part.md\n```\n\n```{note}\nSynthetic data.\n```\n",
        "_generated/part.md": "Included text.\n",
    }
    made = workspace_pages(["about.md", "glossary.md"], source=pages.get)
    assert made["glossary.md"] == (
        "# Glossary\n\n## Rate\n\nA count per person-time.\nSecond line.\n\n"
        "## Median\n\nThe middle value.\n"
    )
    about = made["about.md"]
    assert "See [Glossary](glossary.md) and the rules." in about
    assert "Included text." in about and "(about-label)=" not in about
    assert "> **Note.**" in about and "> Synthetic data." in about


def test_plain_markdown_reports_a_missing_include():
    from mhtrain.errors import MhtrainError

    with pytest.raises(MhtrainError, match="missing"):
        workspace_pages(["a.md"], source={"a.md": "```{include} gone.md\n```\n"}.get)
    assert plain_markdown("Plain.", pages=[], read=lambda n: "") == "Plain.\n"


def test_build_student_notebooks_ships_the_pages_it_links(tmp_path):
    written = build_student_notebooks(tmp_path, lessons=["01"])
    text = written[0].read_text(encoding="utf-8")
    assert f"]({PAGES_DIR}/glossary.md)" in text and "](../" not in text
    assert (tmp_path / PAGES_DIR / "glossary.md").is_file()


# ------------------------------------------------------------------------------------------
# JupyterLab without the tutor tools
# ------------------------------------------------------------------------------------------


def _parsed(command: list[str]):
    """The configuration JupyterLab's own command-line parser makes of ``command``."""
    from traitlets.config.loader import KVArgParseConfigLoader

    settings = [a for a in command[3:] if a.startswith("--") and "." in a.split("=")[0]]
    return KVArgParseConfigLoader(settings).load_config()


def test_lab_switches_off_every_nbgrader_server_extension(tmp_path):
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyter_server.serverapp import ServerApp

    enabled_by_nbgrader = {
        name
        for name, on in ExtensionConfigManager(read_config_path=jupyter_config_path())
        .get_jpserver_extensions()
        .items()
        if on and name.startswith("nbgrader")
    }
    assert enabled_by_nbgrader  # nbgrader's install switches them on for every server
    assert enabled_by_nbgrader <= set(DISABLED_SERVER_EXTENSIONS)
    app = ServerApp(config=_parsed(lab_launch(tmp_path).command))
    assert app.root_dir == str(tmp_path.resolve())
    assert all(app.jpserver_extensions[name] is False for name in DISABLED_SERVER_EXTENSIONS)


def test_lab_fetches_no_news_and_checks_for_no_updates(tmp_path):
    from jupyterlab import NeverCheckForUpdate
    from jupyterlab.labapp import LabApp

    app = LabApp(config=_parsed(lab_launch(tmp_path).command))
    assert app.news_url is None
    assert app.check_for_updates_class is NeverCheckForUpdate


def test_lab_hides_nbgrader_plugins_and_the_news_pop_up_through_its_own_config(
    tmp_path, monkeypatch
):
    """JupyterLab's own page-config reader, pointed where `mhtrain lab` points it, disables
    nbgrader's JupyterLab extension (as installed) and the news announcements."""
    import json

    from jupyterlab_server.config import get_federated_extensions, get_static_page_config

    from mhtrain import files

    launch = lab_launch(tmp_path)
    files.write_text(launch.page_config_path, json.dumps(launch.page_config))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", launch.env["JUPYTER_CONFIG_PATH"])
    disabled = get_static_page_config(level="all")["disabledExtensions"]
    assert {name for name, off in disabled.items() if off} >= set(DISABLED_LAB_PLUGINS)

    from jupyter_core.paths import jupyter_path

    installed = get_federated_extensions(jupyter_path("labextensions"))
    assert "@jupyter/nbgrader" in installed  # the name disabled is the name installed
    # Only this process sees it: the learner's own configuration folder is not touched.
    assert launch.page_config_path.is_relative_to(tmp_path.resolve())
    assert "JUPYTER_CONFIG_DIR" not in launch.env
