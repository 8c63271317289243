"""Shared fixtures: datasets are generated once per test session, with fixed named seeds."""

from __future__ import annotations

import os

import pytest
from seeds import SMALL_SEED


@pytest.fixture(scope="session")
def small_dataset():
    """A 60,000-resident dataset: big enough to have every kind of record, quick to make."""
    import mhtrain

    return mhtrain.generate(population=60_000, seed=SMALL_SEED)


@pytest.fixture(scope="session")
def default_dataset():
    """The default scenario at its default size, with the course dataset's seed."""
    import mhtrain
    from mhtrain.data import SHIPPED

    return mhtrain.generate(
        SHIPPED["scenario"], population=SHIPPED["population"], seed=SHIPPED["seed"]
    )


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Learners' own datasets go to a per-session cache, never the home folder."""
    monkeypatch.setenv("MHTRAIN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    for var in ("MHTRAIN_SEED", "MHTRAIN_STUDENT", "MHTRAIN_COURSE"):
        monkeypatch.delenv(var, raising=False)
    yield


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _xdist_groups_hold(request):
    """Fail a grouped test at once if ``--dist loadgroup`` is asked for but has no effect.

    Some tests share a costly set-up (the built books, one nbgrader course) meant to run on one
    worker; a pytest-xdist that silently ignores ``xdist_group`` would make it on each worker.
    """
    node = request.node
    if (
        getattr(request.config.option, "loadgroup", False)
        and node.get_closest_marker("xdist_group") is not None
        and "@" not in node.nodeid
    ):
        pytest.fail(
            "pytest-xdist is not keeping xdist_group tests on one worker: install the pytest "
            "and pytest-xdist versions pyproject.toml allows ('make test' does)",
            pytrace=False,
        )
