"""The ``mhtrain book`` command: build the course website (public or cohort version)."""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``mhtrain book`` with the command line's sub-command parsers.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers()``.
    """
    parser = subparsers.add_parser(
        "book",
        help="build the course website with Jupyter Book",
        description=(
            "Write the generated pages (lessons, references, data dictionary) and build the "
            "course website. Every warning and broken link fails the build."
        ),
    )
    parser.add_argument(
        "--cohort",
        action="store_true",
        help="build the version for a taught cohort, without worked answers, into _build/cohort",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print Jupyter Book's output as it runs (it is always saved to a log file)",
    )
    parser.set_defaults(func=_run_book)


def _run_book(args: argparse.Namespace) -> int:
    from mhtrain.course.bookpages import REPO_ROOT, build_book

    which = "cohort book (no worked answers)" if args.cohort else "book"
    print(f"Building the {which}; the first build runs every lesson and takes a few minutes.")
    html = build_book(answers=not args.cohort, strict=True, echo=args.verbose)
    index = html / "index.html"
    try:
        shown = index.relative_to(REPO_ROOT)
    except ValueError:
        shown = index
    print(f"Done. Open {shown} in your web browser.")
    return 0
