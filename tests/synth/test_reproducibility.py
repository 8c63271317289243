"""Same scenario + seed + version give byte-identical files, whole or in chunks."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from seeds import OTHER_SEED, SMALL_SEED

import mhtrain
import mhtrain.data
from mhtrain.files import sha256_file as sha256


def _files(path):
    return {p.name: sha256(p) for p in sorted(path.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = mhtrain.generate(population=30_000, seed=SMALL_SEED).to_dir(tmp_path / "a")
    b = mhtrain.generate(population=30_000, seed=SMALL_SEED).to_dir(tmp_path / "b")
    assert _files(a) == _files(b)


def test_different_seeds_give_different_data():
    a = mhtrain.generate(population=30_000, seed=SMALL_SEED)
    b = mhtrain.generate(population=30_000, seed=OTHER_SEED)
    assert not a.people.equals(b.people)


def test_chunks_give_the_same_tables_as_one_piece():
    """Generating area by area (in two chunks) gives exactly the tables made in one piece."""
    whole = mhtrain.generate(population=40_000, seed=SMALL_SEED)
    first = mhtrain.generate(population=40_000, seed=SMALL_SEED, areas=range(0, 5))
    second = mhtrain.generate(population=40_000, seed=SMALL_SEED, areas=range(5, 12))
    for name, table in whole.tables.items():
        joined = pd.concat([first.tables[name], second.tables[name]], ignore_index=True)
        pd.testing.assert_frame_equal(table, joined, obj=name)


def test_streamed_parquet_matches_in_memory_generation(tmp_path):
    from mhtrain.synth.schema import coerce_types
    from mhtrain.synth.stream import stream_to_dir

    stream_to_dir(tmp_path, population=25_000, seed=SMALL_SEED, formats=("parquet",))
    memory = mhtrain.generate(population=25_000, seed=SMALL_SEED)
    for name, table in memory.tables.items():
        streamed = coerce_types(name, pd.read_parquet(tmp_path / f"{name}.parquet"))
        pd.testing.assert_frame_equal(streamed, table, obj=name)


@pytest.mark.slow
def test_committed_course_dataset_equals_a_fresh_regeneration():
    result = subprocess.run(
        [sys.executable, "-m", "mhtrain.cli", "generate", "--shipped", "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_shipped_dataset_is_small_enough_to_commit():
    from mhtrain.data import data_dir

    total = sum(p.stat().st_size for p in data_dir().iterdir())
    # about 24 MB of mental health records, and 2 MB of GP register and death records
    assert total < 27_000_000


def test_load_reads_the_shipped_dataset_with_the_schema_types(default_dataset):
    shipped = mhtrain.load()
    assert shipped.seed == default_dataset.seed
    for name, table in default_dataset.tables.items():
        pd.testing.assert_frame_equal(shipped.tables[name], table, obj=name)


def test_load_with_a_seed_gives_a_learner_their_own_cached_dataset():
    a = mhtrain.load(seed=OTHER_SEED)
    again = mhtrain.data.read_dir(next((mhtrain.data.cache_dir()).glob(f"*seed{OTHER_SEED}*")))
    assert a.seed == OTHER_SEED
    pd.testing.assert_frame_equal(a.people, again.people)
    assert not a.people.equals(mhtrain.load().people)


def test_student_seed_is_stable_and_differs_between_students():
    s1 = mhtrain.seed_for_student("ada", course="mh101")
    assert s1 == mhtrain.seed_for_student("ada", course="mh101")
    assert s1 != mhtrain.seed_for_student("grace", course="mh101")
    assert s1 != mhtrain.seed_for_student("ada", course="other")
