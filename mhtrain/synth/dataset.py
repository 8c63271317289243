"""The generated dataset: its tables, its truth record, and writing it to disk safely."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mhtrain.errors import MhtrainError

TABLE_ORDER = (
    "areas",
    "population",
    "people",
    "referrals",
    "care_contacts",
    "mha_detentions",
    "community_treatment_orders",
    "inpatient_spells",
    "restrictive_interventions",
    "talking_therapies",
    "smi_register",
    "deaths",
)
FORMATS = ("csv", "parquet")


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
        return {
            "name": "mhtrain synthetic mental health records",
            "synthetic": True,
            "scenario": self.scenario,
            "seed": self.seed,
            "residents": self.residents,
            "generator_version": self.version,
            "messy": self.messy,
            "rows": {name: len(df) for name, df in self.tables.items()},
            "files": files or {},
        }

    def to_dir(
        self, path: str | Path, *, formats: Iterable[str] = FORMATS, overwrite: bool = True
    ) -> Path:
        """Write every table (CSV and/or Parquet), manifest.json and datapackage.json.

        The files are written to a temporary folder beside ``path`` and moved into place only when
        all of them are complete, so a failure never leaves half-written files.

        Parameters
        ----------
        path
            Output folder (created if needed).
        formats
            Any of ``"csv"`` and ``"parquet"``.
        overwrite
            Replace files of the same names already in ``path``.
        """
        from mhtrain.synth.schema import datapackage, readme_text

        formats = tuple(dict.fromkeys(f.strip().lower() for f in formats))
        bad = [f for f in formats if f not in FORMATS]
        if bad or not formats:
            raise MhtrainError(
                f"unknown format {', '.join(bad) or '(none)'}; use csv, parquet or csv,parquet"
            )
        out = Path(path)
        parent = out.parent if out.parent != Path("") else Path(".")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=parent))
        except OSError as exc:
            raise MhtrainError(
                f"cannot write to {parent} ({exc.strerror}); choose a folder you can write to"
            ) from None
        try:
            files: dict[str, str] = {}
            for name in TABLE_ORDER:
                if name not in self.tables:
                    continue
                df = self.tables[name]
                if "csv" in formats:
                    target = tmp / f"{name}.csv"
                    write_csv(df, target)
                    files[target.name] = sha256(target)
                if "parquet" in formats:
                    target = tmp / f"{name}.parquet"
                    write_parquet(df, target)
                    files[target.name] = sha256(target)
            if self.messy_log is not None:
                write_csv(self.messy_log, tmp / "messy_log.csv")
                files["messy_log.csv"] = sha256(tmp / "messy_log.csv")
            (tmp / "truth.json").write_text(json_text(self.truth), encoding="utf-8")
            files["truth.json"] = sha256(tmp / "truth.json")
            (tmp / "datapackage.json").write_text(
                json_text(datapackage(self, formats)), encoding="utf-8"
            )
            (tmp / "README.md").write_text(readme_text(self), encoding="utf-8")
            (tmp / "manifest.json").write_text(json_text(self.manifest(files)), encoding="utf-8")
            out.mkdir(parents=True, exist_ok=True)
            if not os.access(out, os.W_OK):
                raise MhtrainError(f"cannot write to {out}; choose a folder you can write to")
            for item in tmp.iterdir():
                dest = out / item.name
                if dest.exists() and not overwrite:
                    raise MhtrainError(f"{dest} exists; remove it or allow overwriting")
                os.replace(item, dest)
        except OSError as exc:
            raise MhtrainError(
                f"cannot write to {out} ({exc.strerror}); choose a folder you can write to"
            ) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out


def json_text(obj: Any) -> str:
    """Stable, readable JSON (sorted keys, fixed float formatting) for byte-identical files."""
    return (
        json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default) + "\n"
    )


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return round(float(value), 10)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV that a spreadsheet opens: ISO dates, empty cells for missing values, LF line ends."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n", na_rep="")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet without volatile metadata, so the same table gives the same bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(
        table,
        path,
        compression="zstd",
        write_statistics=False,
        store_schema=False,
        use_dictionary=True,
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
