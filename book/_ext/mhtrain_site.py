"""Site settings of the course website that Jupyter Book cannot express in ``_config.yml``.

Loaded by ``_config.yml`` (``sphinx.local_extensions``). It does five things:

- **The repository setting.** ``repository.url`` in ``_config.yml`` is the one place the
  repository address is written. While it is empty, the site has no repository, issues,
  Binder or Colab buttons, so it never links to a guessed account. Once it is set, the
  buttons named in ``mhtrain_repository_buttons`` and the launch services in
  ``mhtrain_launch_buttons`` are switched on, and pages may use ``{only} repository``. The
  lesson notebooks then open with a hidden cell that installs the course where it is missing,
  as in Colab or Binder (written by ``mhtrain.course.book.install_cell`` from the same setting).
- **The feedback setting.** ``mhtrain_feedback`` is an e-mail address or the ``https://``
  address of a form. While it is empty it is left out. Once it is set, pages may use
  ``{only} feedback`` and the ``{{ feedback_link }}`` substitution.
- **Version and date.** The version comes from the installed ``mhtrain`` package (its one
  place is ``pyproject.toml``); ``$version`` in ``html.extra_footer`` and ``{{ version }}`` in
  pages are replaced by it. The date is Sphinx's "last updated" date.
- **A description for search engines** on every page: its first paragraph (the home page's
  on pages with no text of their own, such as the search page).
- **Theme fixes**: the home page's title is not repeated in the browser tab, and scripts the
  theme's extensions add twice (a console error on every page) are included once.
"""

from __future__ import annotations

import html
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from string import Template
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[A-Za-z]{2,}$")
_FORM = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")
_REPOSITORY = re.compile(r"^https://[^\s/]+\.[^\s/]+/[^\s/]+/[^\s/]+/?$")
_HOSTS = {"github.com", "gitlab.com", "bitbucket.org"}
_GITHUB_ONLY = ("colab_url", "deepnote_url")
_LAUNCH_KEYS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "thebe")
DESCRIPTION_LENGTH = 155
"""Longest page description, in characters (search engines cut longer ones)."""


def course_version() -> str:
    """The version of the installed ``mhtrain`` package."""
    try:
        return version("mhtrain")
    except PackageNotFoundError as exc:
        raise ConfigError(
            "the course website shows the mhtrain version, but mhtrain is not installed: "
            "run 'make setup' first"
        ) from exc


def feedback_link(address: str) -> str:
    """A Markdown link for the feedback setting, or ``""`` while it is unset.

    Parameters
    ----------
    address
        An e-mail address or the ``https://`` address of a form (or ``""``).

    Raises
    ------
    ConfigError
        If the setting is neither.
    """
    address = address.strip()
    if not address:
        return ""
    if address.startswith("mailto:"):
        address = address[len("mailto:") :]
    if _EMAIL.match(address):
        return f"[{address}](mailto:{address})"
    if _FORM.match(address):
        return f"[the feedback form]({address})"
    raise ConfigError(
        f"mhtrain_feedback in _config.yml must be an e-mail address or an https:// address "
        f"of a form, not {address!r}; leave it empty while there is none"
    )


def apply_repository_setting(app: Sphinx, config: Config) -> None:
    """Switch the repository buttons and launch links on if, and only if, the address is set.

    Raises
    ------
    ConfigError
        If ``repository.url`` is set but is not an ``https://HOST/OWNER/NAME`` address.
    """
    options = config.html_theme_options
    url = (options.get("repository_url") or "").strip()
    launch = dict(options.get("launch_buttons") or {})
    if not url:
        # Unset: no button or launch link may point anywhere.
        for button in config.mhtrain_repository_buttons:
            options[button] = False
        options["launch_buttons"] = {k: v for k, v in launch.items() if k not in _LAUNCH_KEYS}
        return
    if not _REPOSITORY.match(url):
        raise ConfigError(
            f"repository.url in _config.yml must be the https:// address of the course "
            f"repository (https://HOST/OWNER/NAME), not {url!r}; leave it empty while unset"
        )
    host = url.split("/")[2].lower()
    if host not in _HOSTS:
        raise ConfigError(
            f"repository.url in _config.yml is on {host}, but the book theme builds its "
            f"buttons only for {', '.join(sorted(_HOSTS))}; leave it empty for any other host"
        )
    for button in config.mhtrain_repository_buttons:
        options[button] = True
    services = dict(config.mhtrain_launch_buttons)
    if host != "github.com":
        # Colab and Deepnote open notebooks from GitHub only (the theme warns otherwise).
        services = {k: v for k, v in services.items() if k not in _GITHUB_ONLY}
    options["launch_buttons"] = {**launch, **services}
    app.tags.add("repository")


def _on_config_inited(app: Sphinx, config: Config) -> None:
    apply_repository_setting(app, config)

    link = feedback_link(config.mhtrain_feedback)
    if link:
        app.tags.add("feedback")
    release = course_version()
    config.version = config.release = release
    config.myst_substitutions = {
        **config.myst_substitutions,
        "feedback_link": link,
        "version": release,
    }
    config.templates_path = [*config.templates_path, str(Path(__file__).parent / "templates")]


def page_description(doctree: nodes.document) -> str:
    """The first paragraph of a page's own text, shortened for a meta description.

    Paragraphs in boxes, tables and lists, and those that open with a bold label ("Content note.",
    "Time needed:") are passed over.
    """
    skip = (nodes.Admonition, nodes.sidebar, nodes.topic, nodes.table, nodes.list_item)
    for paragraph in doctree.findall(nodes.paragraph):
        parent, inside = paragraph.parent, False
        while parent is not None:
            if isinstance(parent, skip):
                inside = True
                break
            parent = parent.parent
        text = " ".join(paragraph.astext().split())
        first = next((c for c in paragraph.children if c.astext().strip()), None)
        label = isinstance(first, nodes.strong) and first.astext().rstrip().endswith((".", ":"))
        if inside or label or len(text) < 40:
            continue
        if len(text) <= DESCRIPTION_LENGTH:
            return text
        cut = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
        return cut + "…"
    return ""


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Scripts added twice by the theme's extensions run twice, and a `const` declared twice
    # is a script error on every page: keep the first copy of each.
    if "script_files" in context:
        seen, unique = set(), []
        for script in context["script_files"]:
            key = (
                str(getattr(script, "filename", script) or ""),
                tuple(sorted(getattr(script, "attributes", {}).items())),
            )
            if key not in seen:
                seen.add(key)
                unique.append(script)
        context["script_files"] = unique
    # The footer's $version, and $root: the way back to the site's root from this page.
    if context.get("theme_extra_footer"):
        context["theme_extra_footer"] = Template(context["theme_extra_footer"]).safe_substitute(
            version=html.escape(app.config.release), root=context.get("content_root", "")
        )
    metatags = context.get("metatags", "")
    if 'name="description"' not in metatags:
        # Pages made from no text of their own (search, index) say what the home page says.
        if doctree is None:
            doctree = app.env.get_doctree(app.config.root_doc)
        description = page_description(doctree)
        if description:
            tag = f'<meta name="description" content="{html.escape(description)}" />\n'
            context["metatags"] = metatags + tag


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the site settings and their handlers."""
    app.add_config_value("mhtrain_feedback", "", "env", [str])
    app.add_config_value("mhtrain_repository_buttons", [], "html", [list])
    app.add_config_value("mhtrain_launch_buttons", {}, "html", [dict])
    # After the theme's own config handlers, before the builder reads the options.
    app.connect("config-inited", _on_config_inited, priority=800)
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"version": course_version(), "parallel_read_safe": True, "parallel_write_safe": True}
