"""Pseudonymous identifiers and synthetic NHS numbers, unique by construction and seed-dependent."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

_BITS = 32
_MASK = np.uint64((1 << _BITS) - 1)
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
# The two hexadecimal digits of every byte value, as 256 two-byte ASCII pairs.
_HEX_PAIRS = np.stack([_HEX[np.arange(256) >> 4], _HEX[np.arange(256) & 0xF]], axis=1).view(
    np.uint16
)[:, 0]
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
}


def _mix(x: np.ndarray, key: int) -> np.ndarray:
    """A bijection on 32-bit integers (xor-shift and odd multipliers modulo 2**32)."""
    x = (x ^ np.uint64(key & ((1 << _BITS) - 1))) & _MASK
    for mult in (0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35):
        x = (x * np.uint64(mult | 1)) & _MASK
        x ^= x >> np.uint64(16)
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
    if area >= 256:
        raise ValueError("at most 256 areas are supported")
    seq = np.asarray(seq, dtype=np.uint64)
    if len(seq) and int(seq.max()) >= 1 << 24:
        raise ValueError("more than 2**24 rows of one kind in one area; use more areas")
    x = (np.uint64(area) << np.uint64(24)) | seq
    key = (int(seed) * 0x2545F4914F6CDD1D + _KINDS[kind] * 0x632BE59BD9B4E019) % (1 << _BITS)
    mixed = _mix(x, key).astype(">u4")  # big-endian: the first byte is the first two digits
    width = _BITS // 4
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
    for position in range(9):  # weights 10 down to 2 on digits from the left
        digit = (body // 10 ** (8 - position)) % 10
        total += digit * (10 - position)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def is_valid_nhs_number(numbers: np.ndarray) -> np.ndarray:
    """True where a 10-digit NHS number (string or int) has a correct check digit."""
    as_str = np.asarray(numbers).astype(str)
    ok = np.char.str_len(as_str) == 10
    ok &= np.char.isdigit(as_str)
    values = np.where(ok, as_str, "0000000000").astype(np.int64)
    check = nhs_check_digit(values // 10)
    return ok & (check != 10) & (check == values % 10)


@lru_cache(maxsize=4)
def test_range_nhs_numbers(seed: int) -> np.ndarray:
    """Every valid NHS number in the 999 test range, in a seed-dependent order (read-only)."""
    body = 999_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = nhs_check_digit(body)
    valid = check != 10
    numbers = body[valid] * 10 + check[valid]
    shuffled = np.random.default_rng([int(seed), 999]).permutation(numbers)
    shuffled.flags.writeable = False
    return shuffled
