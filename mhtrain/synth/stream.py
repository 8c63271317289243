"""Writing very large datasets area by area, so memory stays bounded (e.g. an England-scale year)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mhtrain.errors import MhtrainError
from mhtrain.synth import GENERATOR_VERSION, iter_area_tables, prepare
from mhtrain.synth.dataset import TABLE_ORDER, json_text, sha256
from mhtrain.synth.schema import coerce_types
from mhtrain.synth.truth import expected_detention_ratios


def stream_to_dir(
    out: str | Path,
    *,
    scenario: str = "default",
    population: int,
    seed: int,
    formats: tuple[str, ...] = ("parquet",),
    progress: bool = False,
) -> dict:
    """Generate area by area and append each table to its files; return the manifest.

    The truth record of a streamed run holds what was planted and expected, not measurements of
    the sample (which would need every table in memory at once).
    """
    sc, joint = prepare(scenario)
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as exc:
        raise MhtrainError(
            f"cannot write to {out.parent} ({exc.strerror}); choose another folder"
        ) from None
    writers: dict[str, pq.ParquetWriter] = {}
    rows = dict.fromkeys(TABLE_ORDER, 0)
    try:
        areas = coerce_types(
            "areas", sc.areas[["area_code", "area_name", "provider_code", "provider_name"]]
        )
        batches = iter_area_tables(sc, population=population, seed=seed)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, total=len(sc.areas), desc="areas", unit="area")
        first = True
        for _, tables, _ in batches:
            tables = {"areas": areas if first else areas.iloc[0:0], **tables}
            first = False
            for name in TABLE_ORDER:
                df = coerce_types(name, tables[name])
                rows[name] += len(df)
                if "parquet" in formats:
                    table = pa.Table.from_pandas(df, preserve_index=False)
                    table = table.replace_schema_metadata(None)
                    if name not in writers:
                        writers[name] = pq.ParquetWriter(
                            tmp / f"{name}.parquet", table.schema, compression="zstd"
                        )
                    writers[name].write_table(table)
                if "csv" in formats:
                    csv = df.copy()
                    for col in csv.columns:
                        if str(csv[col].dtype).startswith("datetime"):
                            csv[col] = csv[col].dt.strftime("%Y-%m-%d")
                    path = tmp / f"{name}.csv"
                    csv.to_csv(
                        path, mode="a", header=not path.exists(), index=False, lineterminator="\n"
                    )
        for w in writers.values():
            w.close()
        writers.clear()
        truth = {
            "planted": sc.calibrated,
            "expected": {"detention_rate_ratio_black_white": expected_detention_ratios(sc, joint)},
        }
        (tmp / "truth.json").write_text(json_text(truth), encoding="utf-8")
        files = {p.name: sha256(p) for p in sorted(tmp.iterdir())}
        manifest = {
            "name": "mhtrain synthetic mental health records",
            "synthetic": True,
            "scenario": sc.name,
            "seed": seed,
            "residents": population,
            "generator_version": GENERATOR_VERSION,
            "messy": False,
            "rows": rows,
            "files": files,
            "streamed": True,
        }
        (tmp / "manifest.json").write_text(json_text(manifest), encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for item in tmp.iterdir():
            os.replace(item, out / item.name)
        return manifest
    except OSError as exc:
        raise MhtrainError(
            f"cannot write to {out} ({exc.strerror}); choose another folder"
        ) from None
    finally:
        for w in writers.values():
            w.close()
        shutil.rmtree(tmp, ignore_errors=True)
