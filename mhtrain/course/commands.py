"""Command-line commands for learners: ``mhtrain lab`` and ``mhtrain progress``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _run_lab(args: argparse.Namespace) -> int:
    from mhtrain.course.lab import launch_lab, prepare_workspace

    directory = Path(args.dir)
    actions = prepare_workspace(directory, lessons=args.lessons or None)
    print(f"Your workspace: {directory.resolve()}")
    for action in actions:
        print(f"  {action.describe()}")
    print(f"To see which exercises you have done: mhtrain progress {directory}")
    if args.no_open:
        print("Not opening JupyterLab (--no-open). Run `mhtrain lab` to open it.")
        return 0
    print("Opening JupyterLab. To stop it, close the browser tab and press Ctrl+C here.")
    return launch_lab(directory)


def _run_progress(args: argparse.Namespace) -> int:
    from mhtrain.course.progress import format_progress, workspace_progress

    directory = Path(args.workspace)
    print(
        f"Reading your answers in {directory.resolve()} (notebooks you changed are run from "
        "the top; this can take a minute)."
    )
    print()
    print(format_progress(workspace_progress(directory)))
    return 0


_ABOUT_LAB = (
    "Make (or update) a personal workspace of the lesson notebooks and open JupyterLab "
    "in it. Notebooks you have edited are never overwritten: a newer version of a "
    "lesson is added beside yours, as 'NN-name (updated).ipynb'."
)


_ABOUT_PROGRESS = (
    "Show, for every lesson in your workspace, which exercises are correct, not yet right, "
    "or not attempted, with totals. A notebook you have changed is run from the top in a "
    "fresh kernel, as Restart Kernel and Run All Cells would, and each answer is judged as "
    "its check cell judges it. Your notebooks are not changed."
)


def add_commands(subparsers: Any) -> None:
    """Register ``mhtrain lab`` and ``mhtrain progress`` on the command line's ``subparsers``."""
    short = "make your own workspace of lesson notebooks and open JupyterLab there"
    lab = subparsers.add_parser("lab", help=short, description=_ABOUT_LAB)
    lab.add_argument(
        "--dir",
        default="workspace",
        help="the workspace folder (default: ./workspace)",
    )
    lab.add_argument(
        "--no-open",
        action="store_true",
        help="only make or update the workspace; do not open JupyterLab",
    )
    lab.add_argument(
        "lessons",
        nargs="*",
        metavar="LESSON",
        help="only these lessons, by number or id (default: all)",
    )
    lab.set_defaults(func=_run_lab)

    progress = subparsers.add_parser(
        "progress",
        help="see which exercises in your workspace are correct, not yet, or not attempted",
        description=_ABOUT_PROGRESS,
    )
    progress.add_argument(
        "workspace",
        nargs="?",
        default="workspace",
        metavar="WORKSPACE",
        help="the workspace folder `mhtrain lab` made (default: ./workspace)",
    )
    progress.set_defaults(func=_run_progress)
