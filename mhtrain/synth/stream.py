"""Writing very large datasets area by area, so memory stays bounded (e.g. an England-scale year)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from mhtrain.synth import GENERATOR_VERSION, iter_area_tables, prepare
from mhtrain.synth.dataset import (
    PARQUET_OPTIONS,
    TABLE_ORDER,
    check_formats,
    checksums,
    dataset_folder,
    manifest_record,
    parquet_table,
    write_csv,
    write_json,
)
from mhtrain.synth.schema import coerce_types
from mhtrain.synth.truth import expected_detention_ratios


def stream_to_dir(
    out: str | Path,
    *,
    scenario: str = "default",
    population: int | None = None,
    seed: int,
    formats: tuple[str, ...] = ("parquet",),
    progress: bool = False,
) -> dict:
    """Generate area by area and append each table to its files; return the manifest.

    The files are written as :meth:`Dataset.to_dir <mhtrain.synth.dataset.Dataset.to_dir>`
    writes them (the same Parquet options, date format and manifest), into a staging folder
    that replaces ``out`` only when every file is complete. The truth record of a streamed run
    holds what was planted and expected, not measurements of the sample (which would need every
    table in memory at once). ``population`` defaults to the scenario's ``population.residents``.
    """
    formats = check_formats(formats)
    sc, joint = prepare(scenario)
    population = int(sc.p("population.residents")) if population is None else population
    out = Path(out)
    writers: dict[str, pq.ParquetWriter] = {}
    rows = dict.fromkeys(TABLE_ORDER, 0)
    with dataset_folder(out) as tmp:
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
                        table = parquet_table(df)
                        if name not in writers:
                            writers[name] = pq.ParquetWriter(
                                tmp / f"{name}.parquet", table.schema, **PARQUET_OPTIONS
                            )
                        writers[name].write_table(table)
                    if "csv" in formats:
                        write_csv(df, tmp / f"{name}.csv", append=True)
        finally:
            for w in writers.values():
                w.close()
        truth = {
            "planted": sc.calibrated,
            "expected": {"detention_rate_ratio_black_white": expected_detention_ratios(sc, joint)},
        }
        write_json(tmp / "truth.json", truth)
        manifest = manifest_record(
            scenario=sc.name,
            seed=seed,
            residents=population,
            version=GENERATOR_VERSION,
            messy=False,
            rows=rows,
            files=checksums(tmp),
            streamed=True,
        )
        write_json(tmp / "manifest.json", manifest)
    return manifest
