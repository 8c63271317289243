"""Can two random streams ever share their draws?"""

from __future__ import annotations

import numpy as np
import pytest

from mhtrain.errors import MhtrainError
from mhtrain.synth import streams

SEEDS = (0, 1, 2023, 2**31 - 1, 2**32 + 7)


def _state(key: list[int]) -> tuple[int, ...]:
    return tuple(np.random.SeedSequence(key).generate_state(4))


@pytest.mark.parametrize("seed", SEEDS)
def test_no_two_name_and_area_pairs_share_entropy(seed):
    """Every (stream, area) a dataset can use has its own seed state, for every seed tried."""
    states: dict[tuple[int, ...], tuple[str, int | None]] = {}
    for name, stream in streams.STREAMS.items():
        for area in range(stream.areas) if stream.per_area else [None]:
            state = _state(streams.entropy(name, seed, area))
            assert state not in states, f"{name}/{area} collides with {states[state]}"
            states[state] = (name, area)
    assert len(states) == sum(s.areas for s in streams.STREAMS.values())


def test_shipped_streams_keep_their_original_keys():
    """The keys the shipped dataset was made with (so it regenerates byte for byte)."""
    assert streams.entropy("area_totals", 7) == [7, 1]
    assert streams.entropy("area_cells", 7, 3) == [7, 503]
    assert streams.entropy("nhs_numbers", 7) == [7, 999]
    assert streams.entropy("records", 7, 3) == [7, 1003]
    assert streams.entropy("talking_therapies", 7, 3) == [7, 2003]
    assert streams.entropy("messy", 7) == [7, 7777]


def test_a_new_stream_is_keyed_by_its_name_and_never_meets_an_old_one(monkeypatch):
    table = dict(streams.STREAMS)
    table["new_table"] = streams.Stream("new_table", offset=None, per_area=True, areas=1000)
    monkeypatch.setattr(streams, "STREAMS", table)
    key = streams.entropy("new_table", 7, 3)
    assert key[0] == 7 and key[-1] == 3 and len(key) == 4
    assert key[2] >= 2**31  # the flagged word: zero in every legacy key
    old = {
        _state(streams.entropy(n, 7, a))
        for n, s in table.items()
        if s.offset is not None
        for a in (range(s.areas) if s.per_area else [None])
    }
    new = {_state(streams.entropy("new_table", 7, a)) for a in range(1000)}
    assert not old & new and len(new) == 1000


def test_an_area_beyond_a_streams_range_is_refused():
    with pytest.raises(MhtrainError, match="at most 499 areas"):
        streams.entropy("area_cells", 1, 499)
    with pytest.raises(MhtrainError, match="unknown random stream"):
        streams.rng("people", 1)
    with pytest.raises(MhtrainError, match="takes an area index"):
        streams.rng("records", 1)


def test_overlapping_offsets_are_refused():
    clash = {
        "a": streams.Stream("a", offset=500, per_area=True, areas=600),
        "b": streams.Stream("b", offset=999, per_area=False, areas=1),
    }
    with pytest.raises(MhtrainError, match="overlap"):
        streams._check_table(clash)
