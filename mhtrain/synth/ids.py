"""Pseudonymous identifiers and synthetic NHS numbers, unique by construction and seed-dependent."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from mhtrain.synth import streams

# Ids are 32-bit numbers, written as eight hexadecimal digits.
_BITS = 32
# An id holds the area in its top eight bits and a sequence number in the low 24.
_AREA_BITS, _SEQ_BITS = 8, 24
MAX_AREAS = 1 << _AREA_BITS
# The mixing function: odd multipliers and a xor-shift (from the MurmurHash3 finaliser), and the
# keys that make each seed and each kind of id a different bijection.
_MULTIPLIERS = (0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35)
_SHIFT = 16
_SEED_KEY, _KIND_KEY = 0x2545F4914F6CDD1D, 0x632BE59BD9B4E019
# NHS numbers: ten digits, the last a Modulus 11 check digit over the first nine; a check of 10
# means the body cannot be used. The test range 999 000 000x is never issued to a real person.
_NHS_DIGITS, _NHS_BODY_DIGITS, _BASE, _MODULUS, _UNUSABLE = 10, 9, 10, 11, 10
_TEST_RANGE_START, _TEST_RANGE_SIZE = 999_000_000, 1_000_000
# Shuffled test ranges kept in memory (one per seed in use).
_SEEDS_KEPT = 4
_MASK = np.uint64((1 << _BITS) - 1)
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
# The two hexadecimal digits of every byte value, as 256 two-byte ASCII pairs.
_BYTE_VALUES, _HEX_DIGIT_BITS, _LOW_DIGIT = 256, 4, 0xF  # a byte is two 4-bit hex digits
_HEX_PAIRS = np.stack(
    [_HEX[np.arange(_BYTE_VALUES) >> _HEX_DIGIT_BITS], _HEX[np.arange(_BYTE_VALUES) & _LOW_DIGIT]],
    axis=1,
).view(np.uint16)[:, 0]
# Each kind of id is keyed by its own number, so ids of different tables never line up.
_KINDS = {
    "person": 1,
    "referral": 2,
    "contact": 3,
    "detention": 4,
    "cto": 5,
    "spell": 6,
    "intervention": 7,
    "tt": 8,
    "smi_patient": 9,
    "death": 10,
    "detention_at_start": 11,
    "place_of_safety": 12,
    "recall": 13,
}


def _mix(x: np.ndarray, key: int) -> np.ndarray:
    """A bijection on 32-bit integers (xor-shift and odd multipliers modulo 2**32)."""
    x = (x ^ np.uint64(key & ((1 << _BITS) - 1))) & _MASK
    for mult in _MULTIPLIERS:
        x = (x * np.uint64(mult | 1)) & _MASK
        x ^= x >> np.uint64(_SHIFT)
    return x


def make_ids(kind: str, seed: int, area: int, seq: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Eight-character hexadecimal ids, unique for distinct (area, seq) within one kind.

    Parameters
    ----------
    kind
        Which table the ids are for (each kind is keyed differently).
    seed, area
        The dataset seed and the area's index; ids differ between seeds.
    seq
        Sequence numbers within the area (below 2**24, about 16.7 million).
    """
    if area >= MAX_AREAS:
        raise ValueError(f"at most {MAX_AREAS} areas are supported")
    seq = np.asarray(seq, dtype=np.uint64)
    if len(seq) and int(seq.max()) >= 1 << _SEQ_BITS:
        raise ValueError(f"more than 2**{_SEQ_BITS} rows of one kind in one area; use more areas")
    x = (np.uint64(area) << np.uint64(_SEQ_BITS)) | seq
    key = (int(seed) * _SEED_KEY + _KINDS[kind] * _KIND_KEY) % (1 << _BITS)
    mixed = _mix(x, key).astype(">u4")  # big-endian: the first byte is the first two digits
    width = _BITS // _HEX_DIGIT_BITS
    chars = _HEX_PAIRS[mixed.view(np.uint8)].view(np.uint8)
    # Straight into an Arrow-backed string column (fixed-width rows, so the offsets are a
    # simple range): no Python objects and no copying for millions of ids.
    offsets = np.arange(0, len(chars) + 1, width, dtype=np.int32)
    column = pa.Array.from_buffers(
        pa.string(), len(mixed), [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    )
    return pd.array(column, dtype="str")


def nhs_check_digit(body: np.ndarray) -> np.ndarray:
    """Modulus 11 check digit for 9-digit NHS number bodies; 10 means the body is not usable."""
    body = np.asarray(body, dtype=np.int64)
    total = np.zeros_like(body)
    for position in range(_NHS_BODY_DIGITS):  # weights 10 down to 2 on digits from the left
        digit = (body // _BASE ** (_NHS_BODY_DIGITS - 1 - position)) % _BASE
        total += digit * (_NHS_BODY_DIGITS + 1 - position)
    check = _MODULUS - total % _MODULUS
    return np.where(check == _MODULUS, 0, check)


def is_valid_nhs_number(numbers: np.ndarray) -> np.ndarray:
    """True where a 10-digit NHS number (string or int) has a correct check digit."""
    as_str = np.asarray(numbers).astype(str)
    ok = np.char.str_len(as_str) == _NHS_DIGITS
    ok &= np.char.isdigit(as_str)
    values = np.where(ok, as_str, "0" * _NHS_DIGITS).astype(np.int64)
    check = nhs_check_digit(values // _BASE)
    return ok & (check != _UNUSABLE) & (check == values % _BASE)


@lru_cache(maxsize=_SEEDS_KEPT)
def test_range_nhs_numbers(seed: int) -> np.ndarray:
    """Every valid NHS number in the 999 test range, in a seed-dependent order (read-only)."""
    body = _TEST_RANGE_START + np.arange(_TEST_RANGE_SIZE, dtype=np.int64)
    check = nhs_check_digit(body)
    valid = check != _UNUSABLE
    numbers = body[valid] * _BASE + check[valid]
    shuffled = streams.rng("nhs_numbers", seed).permutation(numbers)
    shuffled.flags.writeable = False
    return shuffled
