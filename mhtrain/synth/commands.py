"""The ``mhtrain generate`` and ``mhtrain describe`` commands."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from mhtrain.errors import MhtrainError

STREAM_ABOVE = 5_000_000  # residents; larger runs are written area by area
PROGRESS_FROM = 1_000_000  # residents; smaller runs finish too soon to need a progress bar


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the data commands."""
    gen = sub.add_parser(
        "generate",
        help="generate a synthetic dataset",
        description="Generate synthetic mental health records (no real people) from a scenario.",
    )
    gen.add_argument("--scenario", default="default", help="scenario name or .yaml path")
    gen.add_argument("--seed", default=None, help="seed (whole number); same seed, same data")
    gen.add_argument(
        "--population",
        default=None,
        help="number of residents (default: the scenario's population.residents)",
    )
    gen.add_argument("--out", default=None, help="output folder (default: ./mhtrain-data)")
    gen.add_argument("--format", default="csv,parquet", help="csv, parquet or csv,parquet")
    gen.add_argument("--messy", action="store_true", help="add logged data-quality errors")
    gen.add_argument(
        "--shipped",
        action="store_true",
        help="the course dataset: its seed and size, written to synthetic_data/",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and compare with --out; change nothing",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.set_defaults(func=_generate)

    desc = sub.add_parser(
        "describe",
        help="print the data dictionary",
        description="Print the data dictionary of the synthetic tables.",
    )
    desc.add_argument("--format", choices=("text", "markdown"), default="text")
    desc.add_argument("--out", default=None, help="write to this file instead of the screen")
    desc.set_defaults(func=_describe)


def _int_arg(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    text = str(value).replace("_", "").replace(",", "").strip()
    if not text.lstrip("-").isdigit():
        raise MhtrainError(f"--{name} must be a whole number, not {value!r}")
    return int(text)


def _generate(args: argparse.Namespace) -> int:
    from mhtrain.data import SHIPPED, data_dir
    from mhtrain.synth import default_residents, generate
    from mhtrain.synth.stream import stream_to_dir

    if args.shipped:
        seed, population = SHIPPED["seed"], SHIPPED["population"]
        scenario, out = SHIPPED["scenario"], Path(args.out or data_dir())
    else:
        seed = _int_arg(args.seed, "seed", 0)
        population = _int_arg(args.population, "population", default_residents(args.scenario))
        scenario, out = args.scenario, Path(args.out or "mhtrain-data")
    if population <= 0:
        raise MhtrainError(f"--population must be above zero, not {population}")
    if seed < 0:
        raise MhtrainError(f"--seed must be zero or more, not {seed}")
    formats = tuple(f for f in args.format.split(",") if f.strip())
    progress = not args.quiet and sys.stderr.isatty()
    if args.check:
        return _check(out, scenario, population, seed, formats, args.messy)
    if population > STREAM_ABOVE and not args.messy:
        manifest = stream_to_dir(
            out,
            scenario=scenario,
            population=population,
            seed=seed,
            formats=formats,
            progress=not args.quiet,
        )
        print(f"wrote {sum(manifest['rows'].values()):,} rows to {out} (streamed area by area)")
        return 0
    dataset = generate(
        scenario,
        population=population,
        seed=seed,
        messy=args.messy,
        progress=progress and population >= PROGRESS_FROM,
    )
    dataset.to_dir(out, formats=formats)
    rows = sum(len(df) for df in dataset.tables.values())
    print(
        f"wrote {rows:,} rows in {len(dataset.tables)} tables to {out} "
        f"(scenario {dataset.scenario}, seed {seed}, {population:,} residents)"
    )
    return 0


def _check(out: Path, scenario, population, seed, formats, messy) -> int:
    from mhtrain.synth import generate

    if not (out / "manifest.json").exists():
        raise MhtrainError(f"{out} holds no dataset to check; run `make data` first")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh"
        generate(scenario, population=population, seed=seed, messy=messy).to_dir(
            fresh, formats=formats
        )
        names = sorted(p.name for p in fresh.iterdir())
        _, mismatch, errors = filecmp.cmpfiles(out, fresh, names, shallow=False)
        if mismatch or errors:
            bad = ", ".join(mismatch + errors)
            print(
                f"mhtrain: {out} differs from a fresh regeneration in: {bad}; run `make data`",
                file=sys.stderr,
            )
            return 1
    print(f"{out} matches a fresh regeneration ({len(names)} files)")
    return 0


def _describe(args: argparse.Namespace) -> int:
    from mhtrain.data import dictionary_markdown
    from mhtrain.synth.schema import describe_text

    text = dictionary_markdown() if args.format == "markdown" else describe_text()
    if args.out:
        from mhtrain.files import write_text

        target = Path(args.out)
        try:
            write_text(target, text)
        except OSError as exc:
            raise MhtrainError(f"cannot write {target} ({exc.strerror})") from None
    else:
        print(text)
    return 0
