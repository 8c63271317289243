"""Loading the course dataset: the shipped one, or a learner's own from a seed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from mhtrain import settings
from mhtrain.errors import MhtrainError
from mhtrain.synth.scenario import default_residents

# The course dataset shipped in synthetic_data/: the default scenario at its default size. The seed
# was fixed once; its sample sits within every stated tolerance of the published figures.
SHIPPED = {"scenario": "default", "seed": 2034, "population": default_residents("default")}
#: The folder holding the package: in a clone, the repository (and the book's root).
REPO_ROOT = Path(__file__).resolve().parent.parent
_CACHE: dict[tuple, object] = {}


def data_dir() -> Path:
    """Folder of the shipped dataset (the ``DATA_DIR`` setting overrides it)."""
    chosen = settings.data_dir()
    if chosen is not None:
        return chosen
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "synthetic_data"
        if (candidate / "manifest.json").exists():
            return candidate
    return REPO_ROOT / "synthetic_data"


def cache_dir() -> Path:
    """Where learners' own datasets are kept once generated."""
    return settings.cache_base()


def seed_for_student(student: str, *, course: str = "") -> int:
    """A stable seed for one student (and course), so each learner can have their own data."""
    if not str(student).strip():
        raise MhtrainError("student id is empty; give the student's id or username")
    digest = hashlib.sha256(f"{course}\x1f{student}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _seed_from_env() -> int | None:
    chosen = settings.seed()
    if chosen is not None:
        return chosen
    student = settings.student()
    if student:
        return seed_for_student(student[0], course=student[1])
    return None


def load(seed: int | None = None, *, messy: bool = False):
    """Return the course dataset.

    Parameters
    ----------
    seed
        ``None`` for the shipped course dataset (or the seed a seed or student setting
        chooses, see :mod:`mhtrain.settings`); a number for a learner's own dataset, made
        once from the default scenario and kept in a cache.
    messy
        The version with logged data-quality errors (for the data-quality lesson).

    Returns
    -------
    mhtrain.Dataset
        With ``.tables`` (also as attributes, e.g. ``data.people``) and ``.truth``.
    """
    if seed is None:
        seed = _seed_from_env()
    key = (seed, messy)
    if key in _CACHE:
        return _CACHE[key]
    if seed is None and not messy and (data_dir() / "manifest.json").exists():
        dataset = read_dir(data_dir())
    else:
        dataset = _cached_or_generated(SHIPPED["seed"] if seed is None else seed, messy)
    _CACHE[key] = dataset
    return dataset


def _cached_or_generated(seed: int, messy: bool):
    from mhtrain.synth import GENERATOR_VERSION, generate

    name = f"{SHIPPED['scenario']}-{SHIPPED['population']}-seed{seed}-v{GENERATOR_VERSION}"
    folder = cache_dir() / (name + ("-messy" if messy else ""))
    if (folder / "manifest.json").exists():
        try:
            return read_dir(folder)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is simply made again
    dataset = generate(
        SHIPPED["scenario"], population=SHIPPED["population"], seed=seed, messy=messy
    )
    try:
        dataset.to_dir(folder, formats=("parquet",))
    except MhtrainError:
        pass  # no writable cache: the dataset is still returned
    return dataset


def read_dir(folder: str | Path):
    """Read a dataset written by ``Dataset.to_dir`` (Parquet if present, else CSV)."""
    from mhtrain.synth.dataset import TABLE_ORDER, Dataset
    from mhtrain.synth.schema import coerce_types

    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MhtrainError(
            f"{folder} holds no dataset (no manifest.json); run `make data`"
        ) from None
    tables = {}
    for name in TABLE_ORDER:
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if parquet.exists():
            df = pd.read_parquet(parquet)
        elif csv.exists():
            df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
        else:
            continue
        tables[name] = coerce_types(name, df) if name != "messy_log" else df
    truth_path = folder / "truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
    log = folder / "messy_log.csv"
    return Dataset(
        tables=tables,
        truth=truth,
        scenario=manifest["scenario"],
        seed=int(manifest["seed"]),
        residents=int(manifest["residents"]),
        version=str(manifest["generator_version"]),
        messy=bool(manifest.get("messy")),
        messy_log=pd.read_csv(log, dtype=str, keep_default_na=False) if log.exists() else None,
    )


def codes(name: str) -> pd.DataFrame:
    """An NHS value set as a table (code, label, key, ...), e.g. ``codes("ethnic_category")``."""
    from mhtrain.specload import load_codes

    table = load_codes()
    if name not in table:
        raise MhtrainError(f"unknown code list '{name}'; choose one of: {', '.join(sorted(table))}")
    df = pd.DataFrame(table[name]["codes"])
    return df.drop(columns=[c for c in ("census_2021", "verified") if c in df.columns])


def broad_ethnic_group(codes: pd.Series) -> pd.Series:
    """Broad ethnic group (White, Mixed, Asian, Black, Other, or Unknown) of NHS ethnic codes.

    Parameters
    ----------
    codes
        NHS ethnic category codes (``"A"`` to ``"S"``, ``"Z"``, ``"99"``).

    Returns
    -------
    pandas.Series
        The broad group of each code; anything not a valid code (including not stated and not
        known) is ``"Unknown"``.
    """
    from mhtrain.synth.realism import broad_group

    return broad_group(pd.Series(codes))


def dictionary(table: str | None = None) -> pd.DataFrame:
    """The data dictionary as a table: one row per field.

    Parameters
    ----------
    table
        Only this table's fields (e.g. ``"care_contacts"``); all tables when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``field``, ``type``, ``description``, ``codes`` (the code list name, if
        any), ``links_to`` and ``illustrative``.
    """
    from mhtrain.specload import load_schema

    schema = load_schema()
    if table is not None and table not in schema:
        raise MhtrainError(f"unknown table '{table}'; choose one of: {', '.join(schema)}")
    rows = [
        {
            "table": name,
            "field": f["name"],
            "type": f["type"],
            "description": f["description"],
            "codes": f.get("codes", ""),
            "links_to": f.get("references", ""),
            "illustrative": bool(f.get("illustrative", False)),
        }
        for name, spec in schema.items()
        if table in (None, name)
        for f in spec["fields"]
    ]
    return pd.DataFrame(rows)


def dictionary_markdown() -> str:
    """The whole data dictionary as Markdown: the synthetic tables, then the real open data.

    This is the book's data dictionary page and what ``mhtrain describe --format markdown``
    prints. The real published data are in a section of their own, so nobody mistakes them
    for the synthetic records.
    """
    from mhtrain import open_data
    from mhtrain.synth.schema import dictionary_markdown as synthetic

    return synthetic().rstrip() + "\n\n" + open_data.dictionary_markdown().rstrip() + "\n"
