"""Fast tests of the book's configuration and of the pages written at build time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from book_html import heading_skips, marked_lines, page_headings, read_page

from mhtrain.course import bookpages
from mhtrain.errors import MhtrainError

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("book")


def _config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))


def _toc_files(node: object) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root") and isinstance(value, str):
                found.append(value)
            else:
                found += _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            found += _toc_files(item)
    return found


# --- configuration --------------------------------------------------------------------------


def test_config_fails_the_build_when_a_notebook_raises() -> None:
    config = _config()
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["allow_errors"] is False
    assert config["execute"]["timeout"] > 0


def test_config_excludes_everything_outside_book() -> None:
    config = _config()
    assert config["only_build_toc_files"] is True
    excluded = set(config["exclude_patterns"])
    required = ("_build", ".venv", "notebooks", "synthetic_data", "course", "workspace", "tests")
    for folder in required:
        assert folder in excluded, folder


# --- references -----------------------------------------------------------------------------


def test_references_list_every_source_with_a_link_sorted_by_title() -> None:
    sources = {
        "zeta": {
            "title": "Alpha report",
            "publisher": "NHS England",
            "year": 2023,
            "url": "https://a.example/x",
        },
        "alpha": {
            "title": "beta report",
            "publisher": "ONS",
            "year": 2021,
            "url": "https://www.b.example/y",
        },
    }
    text = bookpages.render_references(sources)
    assert text.index("Alpha report") < text.index("beta report")
    assert "(source-zeta)=" in text and "(source-alpha)=" in text
    assert "[a.example](https://a.example/x)" in text
    assert "[b.example](https://www.b.example/y)" in text
    assert "NHS England, 2023." in text and "ONS, 2021." in text


def test_references_escape_markdown_in_titles() -> None:
    sources = {
        "s": {
            "title": "Rates *per* [100,000] <people>",
            "publisher": "P_Q",
            "year": 2020,
            "url": "https://e.example",
        }
    }
    text = bookpages.render_references(sources)
    assert r"Rates \*per\* \[100,000\] \<people\>" in text
    assert r"P\_Q" in text


def test_references_show_doi_and_the_specs_that_cite_each_source() -> None:
    entry = {"title": "T", "publisher": "P", "year": 2020, "url": "https://e.example"}
    sources = {"s": {**entry, "doi": "10.1/x"}}
    text = bookpages.render_references(
        sources,
        usage={"s": ["the code list for sex", "the synthetic data: detention"]},
        lessons={"s": [("3. Comparing groups", "03-comparing-groups")]},
    )
    assert "[10.1/x](https://doi.org/10.1/x)" in text
    assert (
        "Used in: {doc}`Lesson 3. Comparing groups <lessons/03-comparing-groups>`; "
        "the code list for sex; the synthetic data: detention."
    ) in text


def test_references_say_in_words_which_parts_of_the_data_use_each_source(tmp_path) -> None:
    page = bookpages.write_references(tmp_path).read_text(encoding="utf-8")
    used = [line for line in page.splitlines() if line.startswith("Used in:")]
    assert used, "no source says where it is used"
    assert not [line for line in used if ".yaml" in line], "internal file names are shown"
    assert any("the synthetic data: detention" in line for line in used)
    assert any("the code list for ethnic category" in line for line in used)
    assert any("age standardisation" in line for line in used)
    assert any("<lessons/02-counting-fairly>`" in line for line in used)


def test_lesson_usage_finds_the_lessons_that_name_a_source(tmp_path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    lesson0 = (REPO / "notebooks" / "00-getting-started.md").read_text(encoding="utf-8")
    (folder / "00-getting-started.md").write_text(
        lesson0 + "\nSee [the report](https://report.example/x).\n", encoding="utf-8"
    )
    sources = {
        "by_url": {"title": "Unmentioned title", "url": "https://report.example/x"},
        "by_title": {"title": "Mental Health Act Statistics, Annual Figures", "url": "https://n"},
        "unused": {"title": "Nowhere", "url": "https://nowhere.example"},
    }
    found = bookpages.lesson_usage(sources, source_dir=folder)
    assert found == {
        "by_url": [("0. Getting started", "00-getting-started")],
        "by_title": [("0. Getting started", "00-getting-started")],
    }


def test_references_page_matches_the_shipped_source_lists(tmp_path: Path) -> None:
    from mhtrain.specload import load_sources

    page = bookpages.write_references(tmp_path)
    text = page.read_text(encoding="utf-8")
    sources = load_sources()
    assert sources, "the specs list no sources"
    for key, entry in sources.items():
        assert f"(source-{key.lower()})=" in text
        assert str(entry["url"]).strip() in text


def test_source_usage_finds_sources_nested_anywhere_in_a_spec(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "a: {title: T, publisher: P, year: 2000, url: 'https://e.example'}\n"
    )
    (tmp_path / "scenario.yaml").write_text(
        "rates:\n  - {value: 1, source: a}\n  - {value: 2, sources: [a, b]}\n"
    )
    (tmp_path / "codes.yaml").write_text("ethnic_category:\n  source: b\n")
    assert bookpages.source_usage(tmp_path) == {
        "a": ["the course data (scenario: rates)"],
        "b": ["the code list for ethnic category", "the course data (scenario: rates)"],
    }


# --- writing files --------------------------------------------------------------------------


def test_unchanged_pages_keep_their_timestamp_so_sphinx_skips_them(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    assert bookpages._write_if_changed(page, "# A\n") is True
    os.utime(page, (1_000_000, 1_000_000))
    assert bookpages._write_if_changed(page, "# A\n") is False
    assert page.stat().st_mtime == 1_000_000
    assert bookpages._write_if_changed(page, "# B\n") is True
    assert page.read_text() == "# B\n"


def test_lesson_sync_replaces_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    new, dest = tmp_path / "new", tmp_path / "dest"
    new.mkdir()
    dest.mkdir()
    (new / "same.ipynb").write_text("same")
    (new / "changed.ipynb").write_text("v2")
    (dest / "same.ipynb").write_text("same")
    (dest / "changed.ipynb").write_text("v1")
    (dest / "gone.ipynb").write_text("old")
    os.utime(dest / "same.ipynb", (1_000_000, 1_000_000))
    files = bookpages._sync_tree(new, dest)
    assert [p.name for p in files] == ["changed.ipynb", "same.ipynb"]
    assert (dest / "changed.ipynb").read_text() == "v2"
    assert not (dest / "gone.ipynb").exists()
    assert (dest / "same.ipynb").stat().st_mtime == 1_000_000


def test_a_failing_data_dictionary_stops_the_page_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> str:
        raise MhtrainError("the schema could not be read")

    monkeypatch.setattr(bookpages, "dictionary_markdown", broken)
    with pytest.raises(MhtrainError, match="schema could not be read"):
        bookpages.write_data_dictionary(tmp_path)
    assert not (tmp_path / "data-dictionary.md").exists()


def test_data_dictionary_is_the_describe_commands_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mhtrain.cli import main

    page = bookpages.write_data_dictionary(tmp_path)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert main(["describe", "--format", "markdown"]) == 0
    assert text.strip() == capsys.readouterr().out.strip()
    for table in ("people", "population", "mha_detentions", "talking_therapies"):
        assert table in text


def test_planted_effects_come_from_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhtrain.synth import describe_planted_effects

    path = bookpages.write_planted_effects(tmp_path)
    assert path.read_text() == describe_planted_effects().rstrip() + "\n"
    monkeypatch.setattr(bookpages, "describe_planted_effects", lambda: "- effect one")
    assert bookpages.write_planted_effects(tmp_path).read_text() == "- effect one\n"
    monkeypatch.setattr(bookpages, "describe_planted_effects", lambda: "  ")
    with pytest.raises(MhtrainError, match="returned no Markdown"):
        bookpages.write_planted_effects(tmp_path)
    assert path.read_text() == "- effect one\n"  # the last good page is kept


def test_personal_dataset_settings_do_not_reach_the_book_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MHTRAIN_SEED", "7")
    monkeypatch.setenv("MHTRAIN_STUDENT", "learner-1")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # would stop figures reaching the page
    monkeypatch.setenv("HOME", "/home/somebody")
    env = bookpages._book_env()
    assert "MHTRAIN_SEED" not in env and "MHTRAIN_STUDENT" not in env
    assert "MPLBACKEND" not in env
    assert env["HOME"] == "/home/somebody"


def test_build_error_names_the_failing_cell_not_kernel_noise() -> None:
    log = "\n".join(
        [
            "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
            "book/lessons/01.ipynb: WARNING: Executing notebook failed: CellExecutionError",
            "nbclient.exceptions.CellExecutionError: An error occurred",
            "NameError: name 'rates' is not defined",
        ]
    )
    line = bookpages._first_problem(log)
    assert "Executing notebook failed" in line and "NameError: name 'rates'" in line
    assert "TCP" not in line and "\n" not in line


def test_build_outside_a_book_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MhtrainError, match="_config.yml"):
        bookpages.build_book(root=tmp_path)


# --- the helpers the site tests rely on -----------------------------------------------------


def test_marked_lines_keep_only_lines_unique_to_the_region() -> None:
    source = "\n".join(
        [
            "x = data.people",
            "### BEGIN SOLUTION",
            "rate = count / population * 100_000",
            "x = data.people",
            "### END SOLUTION",
            "check(rate)",
            "### BEGIN HIDDEN TESTS",
            "assert abs(rate - truth) < 1",
            "### END HIDDEN TESTS",
        ]
    )
    assert marked_lines(source, "SOLUTION") == {"rate = count / population * 100_000"}
    assert marked_lines(source, "HIDDEN TESTS") == {"assert abs(rate - truth) < 1"}


def test_heading_skips_are_found_and_ordered_headings_pass() -> None:
    assert heading_skips([(1, "a"), (2, "b"), (3, "c"), (2, "d"), (3, "e")]) == []
    assert heading_skips([(1, "a"), (3, "c")]) == ["h3 'c' follows h1"]
    assert heading_skips([(2, "first")]) == ["h2 'first' follows h-"]


def test_page_reader_finds_highlighted_code_lines_and_article_headings(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><nav><h2>Menu</h2></nav><main><article class='bd-article'>"
        "<h1>Title<a class='headerlink'>#</a></h1><h3>Deep</h3>"
        "<pre><span class='n'>rate</span>  <span class='o'>=</span> <span>1</span>\n"
        "<span>check</span>(rate)</pre><img src='a.png' alt=''></article></main></body></html>"
    )
    facts = read_page(page)
    assert facts.code_lines == {"rate = 1", "check(rate)"}
    assert page_headings(page) == [(1, "Title"), (3, "Deep")]
    assert heading_skips(page_headings(page)) == ["h3 'Deep' follows h1"]
    assert facts.images == [{"src": "a.png", "alt": ""}]


def test_book_command_builds_the_cohort_version_on_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import argparse

    from mhtrain.course import book_commands

    calls = []

    def fake_build(**kwargs):
        calls.append(kwargs)
        return tmp_path / "html"

    monkeypatch.setattr(bookpages, "build_book", fake_build)
    parser = argparse.ArgumentParser()
    book_commands.add_commands(parser.add_subparsers())
    for argv, answers in ((["book"], True), (["book", "--cohort"], False)):
        args = parser.parse_args(argv)
        assert args.func(args) == 0
        assert calls[-1]["answers"] is answers and calls[-1]["strict"] is True
    assert "index.html" in capsys.readouterr().out


# --- providing the browser ------------------------------------------------------------------


def _run_ensure_browser(bin_dir: Path, *, ci: bool) -> subprocess.CompletedProcess:
    """Run scripts/ensure_browser.sh with only ``bin_dir`` on the PATH."""
    env = {"PATH": str(bin_dir), "CI": "true" if ci else ""}
    return subprocess.run(
        ["/bin/bash", str(REPO / "scripts" / "ensure_browser.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _fake_tool(bin_dir: Path, name: str, body: str) -> None:
    tool = bin_dir / name
    tool.write_text(f"#!/bin/bash\n{body}\n")
    tool.chmod(0o755)


def test_browser_script_finds_an_installed_chromium(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "chromium", "exit 0")
    result = _run_ensure_browser(tmp_path, ci=False)
    assert result.returncode == 0
    assert result.stdout.strip() == str(tmp_path / "chromium")


def test_browser_script_asks_to_skip_when_chromium_is_missing_off_ci(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "apt-get", 'echo called >> "$0.log"; exit 0')
    result = _run_ensure_browser(tmp_path, ci=False)
    assert result.returncode == 3
    assert "apt-get install -y chromium" in result.stderr
    assert not (tmp_path / "apt-get.log").exists(), "it must not install anything off CI"


def test_browser_script_installs_on_ci_and_fails_loudly_when_that_fails(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "id", "echo 0")
    _fake_tool(tmp_path, "apt-get", 'echo "$@" >> "$0.log"; exit 100')
    result = _run_ensure_browser(tmp_path, ci=True)
    assert result.returncode not in (0, 3)
    assert "update" in (tmp_path / "apt-get.log").read_text()


def test_browser_script_reports_the_chromium_it_installed_on_ci(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "id", "echo 0")
    body = 'echo "$@" >> "$0.log"; if [ "$1" = install ]; then /bin/cp "$0.chromium" "${0%/*}/chromium"; fi'
    _fake_tool(tmp_path, "apt-get", body)
    (tmp_path / "apt-get.chromium").write_text("#!/bin/bash\nexit 0\n")
    (tmp_path / "apt-get.chromium").chmod(0o755)
    result = _run_ensure_browser(tmp_path, ci=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "chromium")
    assert "install -y -qq chromium" in (tmp_path / "apt-get.log").read_text()
