"""The one table of named random streams: every draw in the generator comes from one of these.

Each stream is a :class:`numpy.random.Generator` seeded from the dataset seed and the stream's
entropy key, so streams never share draws and adding a table or an area changes no other stream.

The streams that the shipped dataset was made with keep their original keys ``[seed, offset]``
(or ``[seed, offset + area]``), so the dataset regenerates byte for byte. Those keys occupy fixed,
non-overlapping ranges of offsets; an area index beyond a stream's range is refused rather than
allowed to run into the next stream's range.

A stream added later gets a key that cannot meet any of those: ``[seed, low, high]`` (plus the
area), where ``low`` and ``high`` are the two 32-bit halves of a stable hash of its name with the
top bit of ``high`` set. A legacy key is the seed's words followed by one offset word below
2**31 and then (as NumPy's seeding reads a short key) zeros, so the word where a new key has
``high`` is zero in every legacy key of the same seed: no new key can equal a legacy one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from mhtrain.errors import MhtrainError

# Entropy words are 32 bits; a new stream's high word has this bit set so that it differs from
# every legacy key's third word (always zero).
_WORD_BITS = 32
_NEW_STREAM_FLAG = 1 << (_WORD_BITS - 1)
_WORD_MASK = (1 << _WORD_BITS) - 1  # the low 32 bits of an integer
_NAME_BYTES = 8  # bytes of the name's hash used: two 32-bit words


@dataclass(frozen=True)
class Stream:
    """A named stream: its legacy offset and how many areas it can serve (``per_area``)."""

    name: str
    offset: int | None  # None: a new stream keyed by the hash of its name
    per_area: bool
    areas: int  # the most areas a per-area stream can serve (1 when not per area)


# Legacy offsets and the area ranges they cover: [1], [500, 999), [999], [1000, 2000),
# [2000, 3000), [7777]. Ranges must not overlap (checked on import and by a test).
STREAMS: dict[str, Stream] = {
    s.name: s
    for s in (
        Stream("area_totals", offset=1, per_area=False, areas=1),
        Stream("area_cells", offset=500, per_area=True, areas=499),
        Stream("nhs_numbers", offset=999, per_area=False, areas=1),
        Stream("records", offset=1000, per_area=True, areas=1000),
        Stream("talking_therapies", offset=2000, per_area=True, areas=1000),
        Stream("messy", offset=7777, per_area=False, areas=1),
        Stream("detention_calibration", offset=None, per_area=False, areas=1),
        Stream("physical-health", offset=None, per_area=True, areas=1000),
        Stream("mha_pathways", offset=None, per_area=True, areas=1000),
        Stream("start_route_calibration", offset=None, per_area=False, areas=1),
    )
}


def _check_table(streams: dict[str, Stream]) -> None:
    """Refuse a table in which two legacy streams' offset ranges overlap."""
    spans = sorted(
        (s.offset, s.offset + s.areas, s.name) for s in streams.values() if s.offset is not None
    )
    for (_, end, name), (start, _, other) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise MhtrainError(
                f"random streams '{name}' and '{other}' overlap; give '{other}' no offset "
                "(a new stream is keyed by its name)"
            )
    for s in streams.values():
        if s.offset is not None and s.offset >= _NEW_STREAM_FLAG:
            raise MhtrainError(f"random stream '{s.name}' offset is too large; use no offset")


_check_table(STREAMS)


def _name_words(name: str) -> list[int]:
    """Two 32-bit words from a stable hash of a stream's name (the high word flagged)."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:_NAME_BYTES], "big")
    low = digest & _WORD_MASK
    high = (digest >> _WORD_BITS) | _NEW_STREAM_FLAG
    return [low, high]


def entropy(name: str, seed: int, area: int | None = None) -> list[int]:
    """The entropy key of stream ``name`` for a dataset seed (and area, for per-area streams).

    Parameters
    ----------
    name
        A stream in :data:`STREAMS`.
    seed
        The dataset seed.
    area
        The area index, for a per-area stream; omit it for a whole-dataset stream.
    """
    if name not in STREAMS:
        raise MhtrainError(f"unknown random stream '{name}'; add it to STREAMS in synth/streams.py")
    stream = STREAMS[name]
    if stream.per_area != (area is not None):
        need = "an area index" if stream.per_area else "no area index"
        raise MhtrainError(f"random stream '{name}' takes {need}")
    if area is not None and not 0 <= area < stream.areas:
        raise MhtrainError(
            f"random stream '{name}' serves at most {stream.areas} areas, not area {area}; "
            "use fewer areas"
        )
    if stream.offset is None:
        key = [int(seed), *_name_words(name)]
        return key if area is None else [*key, int(area)]
    return [int(seed), stream.offset + (0 if area is None else int(area))]


def rng(name: str, seed: int, area: int | None = None) -> np.random.Generator:
    """A generator for stream ``name`` (see :func:`entropy`)."""
    return np.random.default_rng(entropy(name, seed, area))


def max_areas() -> int:
    """The most areas every per-area stream can serve."""
    return min(s.areas for s in STREAMS.values() if s.per_area)
