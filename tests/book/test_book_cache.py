"""A build that fails inside the execution cache is retried once with a clean cache."""

from __future__ import annotations

from mhtrain.course.bookpages import _cache_trouble


def test_cache_failures_are_recognised_from_the_saved_traceback(tmp_path):
    saved = tmp_path / "sphinx-err-abc.log"
    saved.write_text("sqlite3.OperationalError: attempt to write a readonly database\n")
    log = f"Exception occurred:\nThe full traceback has been saved in {saved}, if you want"
    assert _cache_trouble(log)


def test_other_build_failures_are_not_retried(tmp_path):
    saved = tmp_path / "sphinx-err-def.log"
    saved.write_text("nbclient.exceptions.CellExecutionError: ZeroDivisionError\n")
    log = f"Exception occurred:\nThe full traceback has been saved in {saved}, if you want"
    assert not _cache_trouble(log)
    assert not _cache_trouble("WARNING: undefined label: 'nowhere'")
