"""Command-line entry point: ``mhtrain generate | describe | lab | course ...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from mhtrain.course import book_commands, commands, tutor_commands
from mhtrain.errors import MhtrainError
from mhtrain.synth import commands as synth_commands

# Each module that offers commands exposes ``add_commands(subparsers)``; the function it
# registers with ``set_defaults(func=...)`` receives the parsed namespace and returns an exit code.
_COMMAND_MODULES = (synth_commands, commands, book_commands, tutor_commands)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="mhtrain",
        description="Synthetic mental health records and graded lessons on inequalities in care.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _COMMAND_MODULES:
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(func(args) or 0)
    except MhtrainError as exc:
        print(f"mhtrain: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mhtrain: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
