"""The generated dataset: its tables, its truth record, and writing it to disk safely."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.files import sha256_file, staging_folder, write_text

TABLE_ORDER = (
    "areas",
    "population",
    "people",
    "referrals",
    "care_contacts",
    "mha_detentions",
    "mha_in_force_at_start",
    "place_of_safety_orders",
    "community_treatment_orders",
    "cto_recalls",
    "inpatient_spells",
    "restrictive_interventions",
    "talking_therapies",
    "smi_register",
    "deaths",
)
FORMATS = ("csv", "parquet")
# Files a dataset folder holds besides its tables.
_OWN_FILES = ("messy_log.csv", "truth.json", "datapackage.json", "README.md", "manifest.json")
# Parquet written the same way everywhere: no statistics or pandas schema, so bytes repeat.
PARQUET_OPTIONS = {
    "compression": "zstd",
    "write_statistics": False,
    "store_schema": False,
    "use_dictionary": True,
}
# At most this many unexpected file names are named in an error.
_NAMES_SHOWN = 3
# The written folder can be read by everyone, like any folder made with mkdir.
_FOLDER_MODE = 0o755
# JSON files: two-space indents, floats rounded to ten decimals (stable across platforms).
_JSON_INDENT, _JSON_DECIMALS = 2, 10


@dataclass
class Dataset:
    """Synthetic record tables, what was planted in them, and how they were made."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    scenario: str
    seed: int
    residents: int
    version: str
    messy: bool = False
    messy_log: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"Dataset has no table or attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        return (
            f"<mhtrain Dataset scenario={self.scenario!r} seed={self.seed} "
            f"residents={self.residents:,}{' messy' if self.messy else ''}: {rows}>"
        )

    def manifest(self, files: dict[str, str] | None = None) -> dict[str, Any]:
        """Scenario, seed, version, row counts and (when written) file checksums."""
        return manifest_record(
            scenario=self.scenario,
            seed=self.seed,
            residents=self.residents,
            version=self.version,
            messy=self.messy,
            rows={name: len(df) for name, df in self.tables.items()},
            files=files or {},
        )

    def to_dir(
        self, path: str | Path, *, formats: Iterable[str] = FORMATS, overwrite: bool = True
    ) -> Path:
        """Write every table (CSV and/or Parquet), manifest.json and datapackage.json.

        The files are written to a staging folder beside ``path``, which replaces ``path`` whole
        only when all of them are complete, so a failure never leaves half-written files.

        Parameters
        ----------
        path
            Output folder (created if needed). If it exists it must hold only a dataset's files.
        formats
            Any of ``"csv"`` and ``"parquet"``.
        overwrite
            Replace a dataset already in ``path``.
        """
        from mhtrain.synth.schema import datapackage, readme_text

        formats = check_formats(formats)
        out = Path(path)
        with dataset_folder(out, overwrite=overwrite) as tmp:
            files: dict[str, str] = {}
            for name in TABLE_ORDER:
                if name not in self.tables:
                    continue
                df = self.tables[name]
                if "csv" in formats:
                    write_csv(df, tmp / f"{name}.csv")
                if "parquet" in formats:
                    write_parquet(df, tmp / f"{name}.parquet")
            if self.messy_log is not None:
                write_csv(self.messy_log, tmp / "messy_log.csv")
            write_json(tmp / "truth.json", self.truth)
            files = checksums(tmp)
            write_json(tmp / "datapackage.json", datapackage(self, formats))
            write_text(tmp / "README.md", readme_text(self))
            write_json(tmp / "manifest.json", self.manifest(files))
        return out


def manifest_record(
    *,
    scenario: str,
    seed: int,
    residents: int,
    version: str,
    messy: bool,
    rows: dict[str, int],
    files: dict[str, str],
    **extra: Any,
) -> dict[str, Any]:
    """The manifest of a written dataset (the same fields however it was written)."""
    return {
        "name": "mhtrain synthetic mental health records",
        "synthetic": True,
        "scenario": scenario,
        "seed": seed,
        "residents": residents,
        "generator_version": version,
        "messy": messy,
        "rows": rows,
        "files": files,
        **extra,
    }


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested file formats, checked (``csv`` and/or ``parquet``)."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise MhtrainError(
            f"unknown format {', '.join(bad) or '(none)'}; use csv, parquet or csv,parquet"
        )
    return formats


def _dataset_file(name: str) -> bool:
    stem, _, suffix = name.partition(".")
    return (stem in TABLE_ORDER and suffix in FORMATS) or name in _OWN_FILES


@contextmanager
def dataset_folder(out: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """A staging folder that replaces ``out`` whole once the block has written every file.

    ``out`` may be missing, empty or an earlier dataset; a folder holding anything else is
    refused, so writing a dataset never deletes someone's other files.
    """
    if out.exists():
        if not out.is_dir():
            raise MhtrainError(f"{out} is a file; choose a folder for the dataset")
        present = [p.name for p in out.iterdir()]
        other = sorted(n for n in present if not _dataset_file(n))
        if other:
            raise MhtrainError(
                f"{out} holds files that are not part of a dataset ({', '.join(other[:_NAMES_SHOWN])}); "
                "choose an empty folder or a dataset folder"
            )
        if present and not overwrite:
            raise MhtrainError(f"{out} already holds a dataset; remove it or allow overwriting")
    try:
        with staging_folder(out) as tmp:
            os.chmod(tmp, _FOLDER_MODE)
            yield tmp
    except OSError as exc:
        raise MhtrainError(
            f"cannot write to {out} ({exc.strerror}); choose a folder you can write to"
        ) from None


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a folder, by name."""
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())}


def json_text(obj: Any) -> str:
    """Stable, readable JSON (sorted keys, fixed float formatting) for byte-identical files."""
    return (
        json.dumps(
            obj, indent=_JSON_INDENT, sort_keys=True, ensure_ascii=False, default=_json_default
        )
        + "\n"
    )


def write_json(path: Path, obj: Any) -> None:
    """Write :func:`json_text` of ``obj`` atomically."""
    write_text(path, json_text(obj))


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return round(float(value), _JSON_DECIMALS)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with its dates as ISO text (``YYYY-MM-DD``), as the CSV files hold them."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out


def write_csv(df: pd.DataFrame, path: Path, *, append: bool = False) -> None:
    """CSV that a spreadsheet opens: ISO dates, empty cells for missing values, LF line ends.

    With ``append``, rows are added to the file (with a header only if it is new).
    """
    csv_ready(df).to_csv(
        path,
        mode="a" if append else "w",
        header=not (append and Path(path).exists()),
        index=False,
        lineterminator="\n",
        na_rep="",
    )


def parquet_table(df: pd.DataFrame):
    """A table as Arrow, without the volatile pandas metadata."""
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet without volatile metadata, so the same table gives the same bytes."""
    import pyarrow.parquet as pq

    pq.write_table(parquet_table(df), path, **PARQUET_OPTIONS)
