"""The generator's quick drawing helpers give exactly what their plain NumPy forms give."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mhtrain.synth.draws import choice_columns, choice_fixed, choice_rows, sort_within
from mhtrain.synth.ids import _mix, make_ids


def _reference_choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """The plain form: cumulative sums along each row, then count those below a uniform."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


_weights = st.floats(0.001, 50, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(0, 300),
    k=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_row_draws_match_the_plain_form(rows, k, seed):
    probs = np.random.default_rng(seed).gamma(0.5, size=(rows, k)) + 1e-6
    got = choice_rows(np.random.default_rng(seed + 1), probs)
    expected = _reference_choice(np.random.default_rng(seed + 1), probs)
    assert np.array_equal(got, expected)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 300), k=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_column_draws_match_the_same_matrix_drawn_by_rows(rows, k, seed):
    probs = np.random.default_rng(seed).gamma(0.5, size=(rows, k)) + 1e-6
    columns = [probs[:, j].copy() for j in range(k)]
    got = choice_columns(np.random.default_rng(seed + 1), columns)
    expected = _reference_choice(np.random.default_rng(seed + 1), probs)
    assert np.array_equal(got, expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 500),
    probs=st.lists(_weights, min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_fixed_draws_match_identical_rows(n, probs, seed):
    got = choice_fixed(np.random.default_rng(seed), n, probs)
    expected = _reference_choice(np.random.default_rng(seed), np.tile(probs, (n, 1)))
    assert np.array_equal(got, expected)


def test_fixed_draws_follow_the_probabilities():
    drawn = choice_fixed(np.random.default_rng(5), 200_000, [0.7, 0.2, 0.1])
    shares = np.bincount(drawn, minlength=3) / len(drawn)
    assert np.allclose(shares, [0.7, 0.2, 0.1], atol=0.005)


@settings(max_examples=80, deadline=None)
@given(
    group=arrays(np.int64, st.integers(0, 400), elements=st.integers(0, 50)),
    seed=st.integers(0, 2**32 - 1),
)
def test_sorting_within_groups_matches_lexsort(group, seed):
    group = np.sort(group) if seed % 2 else group  # sorted groups, as the generator has, and not
    value = np.random.default_rng(seed).integers(-30, 30, len(group))  # with ties and negatives
    assert np.array_equal(sort_within(group, value), np.lexsort((value, group)))


def test_ids_are_the_hex_digits_of_the_mixed_sequence_numbers():
    seq = np.array([0, 1, 2, 255, 65_535, (1 << 24) - 1])
    ids = make_ids("contact", 7, 3, seq)
    key = (7 * 0x2545F4914F6CDD1D + 3 * 0x632BE59BD9B4E019) % (1 << 32)
    mixed = _mix((np.uint64(3) << np.uint64(24)) | seq.astype(np.uint64), key)
    assert list(ids) == [f"{int(m):08X}" for m in mixed]
    assert str(ids.dtype) == "str"
    assert len(make_ids("contact", 7, 3, np.arange(0))) == 0
