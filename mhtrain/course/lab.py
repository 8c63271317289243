"""A learner's own workspace of lesson notebooks, updated without ever overwriting their work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from mhtrain import files
from mhtrain.course.build import self_paced_workspace
from mhtrain.course.lessons import lesson_sources, read_lesson
from mhtrain.course.workspace_pages import PAGES_DIR
from mhtrain.errors import MhtrainError

__all__ = [
    "DISABLED_LAB_PLUGINS",
    "DISABLED_SERVER_EXTENSIONS",
    "JUPYTER_CONFIG_DIR",
    "MANIFEST_NAME",
    "LabLaunch",
    "WorkspaceAction",
    "lab_launch",
    "launch_lab",
    "prepare_workspace",
]

#: The file in a workspace that records what the course wrote there (name and content hash).
MANIFEST_NAME = ".mhtrain-workspace.json"
_MANIFEST_VERSION = 1

#: The workspace's own Jupyter configuration folder: JupyterLab reads it for this workspace
#: only (through ``JUPYTER_CONFIG_PATH``), so the learner's global Jupyter set-up is unchanged.
JUPYTER_CONFIG_DIR = ".mhtrain-jupyter"
#: JupyterLab plugins a learner does not need: nbgrader's tutor tools (its menu, Validate,
#: Create Assignment, Formgrader, the assignment and course lists) and the news pop-up, which
#: asks to fetch news from the internet.
DISABLED_LAB_PLUGINS = ("@jupyter/nbgrader", "@jupyterlab/apputils-extension:announcements")
#: nbgrader's server extensions, which serve those tools (nbgrader 0.9's ``nbgrader.json``).
DISABLED_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)

#: What happened to a lesson when the workspace was prepared.
ADDED = "added"
RESTORED = "restored"
UPDATED = "updated"
UNCHANGED = "unchanged"
KEPT = "kept"
ADDED_BESIDE = "added beside"
BESIDE_UNCHANGED = "beside unchanged"


@dataclass(frozen=True)
class WorkspaceAction:
    """What :func:`prepare_workspace` did with one lesson.

    Attributes
    ----------
    lesson : str
        The lesson id, ``"03-comparing-groups"``.
    action : str
        ``"added"``, ``"restored"``, ``"updated"``, ``"unchanged"``, ``"kept"`` (the learner's
        edited copy, with no newer lesson), ``"added beside"`` (a newer lesson written next to
        the learner's edited copy) or ``"beside unchanged"`` (that newer copy was already there).
    path : Path
        The notebook written or kept.
    kept : Path or None
        For ``"added beside"`` and ``"beside unchanged"``: the learner's edited notebook, untouched.
    """

    lesson: str
    action: str
    path: Path
    kept: Path | None = None

    def describe(self) -> str:
        """Return one plain sentence saying what happened."""
        name = self.path.name
        if self.action == ADDED:
            return f"Added {name}."
        if self.action == RESTORED:
            return f"Restored {name} (it had been deleted)."
        if self.action == UPDATED:
            return f"Updated {name} to the latest version (you had not changed it)."
        if self.action == UNCHANGED:
            return f"{name} is up to date."
        if self.action == KEPT:
            return f"Kept {name} as you left it (you have edited it)."
        kept = self.kept.name if self.kept else "your copy"
        if self.action == ADDED_BESIDE:
            return (
                f"Kept {kept} as you left it (you have edited it). The new version of the "
                f"lesson is beside it: {name}."
            )
        return f"Kept {kept} as you left it; the new version is still beside it: {name}."


def _file_hash(path: Path) -> str | None:
    try:
        return files.sha256_file(path)
    except FileNotFoundError:
        return None


def _read_manifest(directory: Path) -> dict[str, dict[str, str]]:
    path = directory / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        records = content["files"]
        if not isinstance(records, dict):
            raise TypeError("files is not a mapping")
        return {str(k): dict(v) for k, v in records.items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise MhtrainError(
            f"{path} is damaged ({exc}); move it away and run `mhtrain lab` again (your "
            "notebooks are kept; changed lessons will be added beside them)"
        ) from exc


def _write_manifest(directory: Path, records: dict[str, dict[str, str]]) -> None:
    content = {
        "about": "Written by `mhtrain lab`: the lesson notebooks it wrote here, with a hash of "
        "each as written, so it never overwrites one you have edited.",
        "version": _MANIFEST_VERSION,
        "files": dict(sorted(records.items())),
    }
    text = json.dumps(content, indent=2, sort_keys=True) + "\n"
    files.write_text(directory / MANIFEST_NAME, text)


def _beside_name(lesson: str, n: int) -> str:
    return f"{lesson} (updated).ipynb" if n == 1 else f"{lesson} (updated {n}).ipynb"


def _place_lesson(
    directory: Path, lesson: str, content: bytes, records: dict[str, dict[str, str]]
) -> WorkspaceAction:
    """Decide where one lesson's student notebook goes, write it if needed, update ``records``."""
    new_hash = files.sha256_bytes(content)
    main = directory / f"{lesson}.ipynb"
    record = records.get(main.name)
    current = _file_hash(main)

    def write(path: Path, action: str, kept: Path | None = None) -> WorkspaceAction:
        files.write_bytes(path, content)
        records[path.name] = {"lesson": lesson, "sha256": new_hash}
        return WorkspaceAction(lesson, action, path, kept)

    if current is None:
        return write(main, RESTORED if record else ADDED)
    if current == new_hash:
        records[main.name] = {"lesson": lesson, "sha256": new_hash}
        return WorkspaceAction(lesson, UNCHANGED, main)
    if record is not None and current == record.get("sha256"):
        return write(main, UPDATED)
    # The learner has edited the notebook (or it was not written by the course).
    if record is not None and record.get("sha256") == new_hash:
        return WorkspaceAction(lesson, KEPT, main)
    n = 1
    while True:
        beside = directory / _beside_name(lesson, n)
        beside_hash = _file_hash(beside)
        beside_record = records.get(beside.name)
        if beside_hash is None:
            return write(beside, ADDED_BESIDE, main)
        if beside_hash == new_hash:
            records[beside.name] = {"lesson": lesson, "sha256": new_hash}
            return WorkspaceAction(lesson, BESIDE_UNCHANGED, beside, main)
        if beside_record is not None and beside_hash == beside_record.get("sha256"):
            return write(beside, ADDED_BESIDE, main)
        n += 1


def prepare_workspace(
    directory: Path | str,
    *,
    lessons: Iterable[str | int | Path] | None = None,
    source_dir: Path | None = None,
) -> list[WorkspaceAction]:
    """Create or update a learner's workspace of self-paced student notebooks.

    A notebook the learner has edited (its content no longer matches the hash recorded when it
    was written) is never overwritten: a newer version of that lesson is written beside it, as
    ``NN-slug (updated).ipynb``. Unedited notebooks are brought up to date in place.

    Parameters
    ----------
    directory : Path or str
        The workspace folder; created if needed.
    lessons : iterable, optional
        Which lessons (ids, numbers or paths); by default all.
    source_dir : Path, optional
        Where the lesson sources are; by default the course's ``notebooks/`` folder.

    Returns
    -------
    list of WorkspaceAction
        One per lesson, in lesson order.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise MhtrainError(f"{directory} is a file, not a folder; choose another --dir")
    sources = lesson_sources(lessons=lessons, source_dir=source_dir)
    if not sources:
        raise MhtrainError(
            f"no lessons found in {source_dir or 'notebooks/'}; check that the course files "
            "are there"
        )
    # Build every notebook before touching the workspace, so a broken lesson changes nothing.
    notebooks, pages = self_paced_workspace([read_lesson(p) for p in sources])
    built = [(lesson.id, nbformat.writes(nb).encode("utf-8")) for lesson, nb in notebooks]
    directory.mkdir(parents=True, exist_ok=True)
    # The book pages the lessons link to are reference copies, always brought up to date.
    for name, text in pages.items():
        files.write_if_changed(directory / PAGES_DIR / name, text)
    records = _read_manifest(directory)
    actions = []
    try:
        for lesson, content in built:
            actions.append(_place_lesson(directory, lesson, content, records))
    finally:
        _write_manifest(directory, records)
    return actions


@dataclass(frozen=True)
class LabLaunch:
    """How ``mhtrain lab`` starts JupyterLab: the command, its folder and its extra settings.

    Attributes
    ----------
    command : list of str
        The command line.
    cwd : Path
        The folder it runs in (the workspace).
    env : dict of str to str
        Environment variables to set on top of the current ones.
    page_config : dict
        JupyterLab's page configuration for this workspace (its disabled plugins), written to
        ``<workspace>/.mhtrain-jupyter/labconfig/page_config.json`` before the start.
    """

    command: list[str]
    cwd: Path
    env: dict[str, str]
    page_config: dict[str, Any]

    @property
    def page_config_path(self) -> Path:
        """Where :attr:`page_config` is written."""
        return self.cwd / JUPYTER_CONFIG_DIR / "labconfig" / "page_config.json"


def lab_launch(directory: Path | str) -> LabLaunch:
    """Return how to start JupyterLab for a learner's workspace, without starting it.

    nbgrader's server extensions are switched off on the command line (which outranks every
    config file), and its JupyterLab plugins and the news pop-up through a page configuration
    in the workspace's own Jupyter config folder, put first on ``JUPYTER_CONFIG_PATH`` for this
    one process. The news feed and update check are switched off too, so JupyterLab makes no
    request to the internet. Nothing in the learner's own Jupyter configuration changes.

    Parameters
    ----------
    directory : Path or str
        The workspace folder.
    """
    directory = Path(directory).resolve()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={directory}",
        *(f"--ServerApp.jpserver_extensions={name}=False" for name in DISABLED_SERVER_EXTENSIONS),
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and teaching machines often run as root
    config_dir = str(directory / JUPYTER_CONFIG_DIR)
    existing = os.environ.get("JUPYTER_CONFIG_PATH")
    env = {"JUPYTER_CONFIG_PATH": os.pathsep.join(filter(None, [config_dir, existing]))}
    page_config = {"disabledExtensions": dict.fromkeys(DISABLED_LAB_PLUGINS, True)}
    return LabLaunch(command=command, cwd=directory, env=env, page_config=page_config)


def launch_lab(directory: Path | str) -> int:
    """Open JupyterLab in ``directory`` and wait until it is closed; return its exit code.

    JupyterLab starts as :func:`lab_launch` says: without nbgrader's tutor tools.

    Parameters
    ----------
    directory : Path or str
        The workspace folder.
    """
    launch = lab_launch(directory)
    files.write_text(launch.page_config_path, json.dumps(launch.page_config, indent=2) + "\n")
    try:
        return subprocess.call(launch.command, cwd=launch.cwd, env={**os.environ, **launch.env})
    except KeyboardInterrupt:
        return 0
