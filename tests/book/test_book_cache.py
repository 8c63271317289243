"""Build robustness: one build at a time per book root, cache failures retried, crashes named."""

from __future__ import annotations

import threading
import time

import pytest
from filelock import FileLock

from mhtrain.course import bookpages
from mhtrain.course.bookpages import _build_lock, _cache_trouble, _first_problem
from mhtrain.errors import MhtrainError


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


def test_a_sphinx_crash_is_summed_up_by_its_exception_not_its_banner(tmp_path):
    saved = tmp_path / "sphinx-err-ghi.log"
    saved.write_text(
        "Traceback (most recent call last):\n"
        '  File "db.py", line 331, in create_record\n'
        "ValueError: hashkey already exists:8e83\n"
    )
    log = (
        "reading sources... [ 32%] book/lessons/00-getting-started\n"
        "Exception occurred:\n"
        f"The full traceback has been saved in {saved}, if you want to report the issue.\n"
    )
    summary = _first_problem(log)
    assert "ValueError: hashkey already exists" in summary
    assert "Exception occurred" not in summary


def test_a_kernel_socket_closing_late_is_not_taken_for_the_error():
    """pyzmq may log a message on a just-closed kernel socket before the cell's own error."""
    log = (
        "reading sources... [ 50%] book/lesson\n"
        "ERROR:tornado.general:Uncaught exception in ZMQStream callback\n"
        "Traceback (most recent call last):\n"
        '  File "zmq/eventloop/zmqstream.py", line 585, in _log_error\n'
        "zmq.error.ZMQError: Socket operation on non-socket\n"
        "book/lesson.md: WARNING: Executing notebook failed: CellExecutionError\n"
        "nbclient.exceptions.CellExecutionError: An error occurred while executing a cell:\n"
        "ZeroDivisionError: division by zero\n"
    )
    summary = _first_problem(log)
    assert "ZeroDivisionError: division by zero" in summary
    assert "ZMQ" not in summary and "Executing notebook failed" in summary


def test_a_second_build_of_the_same_book_waits_for_the_first(tmp_path, capsys):
    (tmp_path / "_build").mkdir()
    order: list[str] = []
    holder = FileLock(tmp_path / "_build" / bookpages._LOCK_NAME)
    holder.acquire()

    def second_build() -> None:
        with _build_lock(tmp_path):
            order.append("second build")

    thread = threading.Thread(target=second_build)
    thread.start()
    time.sleep(0.5)
    order.append("first build ends")
    holder.release()
    thread.join(timeout=10)
    assert order == ["first build ends", "second build"]
    assert "Another book build is running" in capsys.readouterr().err


def test_a_lock_held_too_long_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "_build").mkdir()
    monkeypatch.setattr(bookpages, "_LOCK_WAIT_SECONDS", 0.2)
    with FileLock(tmp_path / "_build" / bookpages._LOCK_NAME):
        result: list[BaseException] = []

        def second_build() -> None:
            try:
                with _build_lock(tmp_path):
                    pass
            except MhtrainError as exc:
                result.append(exc)

        thread = threading.Thread(target=second_build)
        thread.start()
        thread.join(timeout=10)
    assert result and "another book build" in str(result[0])
    assert ".book-build.lock" in str(result[0])


def test_the_build_lock_is_released_when_a_build_fails(tmp_path):
    with pytest.raises(RuntimeError), _build_lock(tmp_path):
        raise RuntimeError("build failed")
    with FileLock(tmp_path / "_build" / bookpages._LOCK_NAME).acquire(timeout=0):
        pass


def _book_root(tmp_path):
    for folder in ("mhtrain", "synthetic_data", "book/_ext"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "one.py").write_text("x = 1\n")
    (tmp_path / "book" / "intro.md").write_text("# Home\n")
    return tmp_path


@pytest.mark.parametrize("changed", ["mhtrain/one.py", "synthetic_data/one.py", "book/_ext/one.py"])
def test_the_build_fingerprint_changes_with_the_library_data_and_site_extension(tmp_path, changed):
    """Does editing the site's Sphinx extension make the next build start afresh?"""
    root = _book_root(tmp_path)
    before = bookpages._fingerprint(root, answers=True)
    assert bookpages._fingerprint(root, answers=True) == before
    assert bookpages._fingerprint(root, answers=False) != before
    (root / changed).write_text("x = 2\n")
    assert bookpages._fingerprint(root, answers=True) != before


def test_the_build_fingerprint_ignores_page_text_and_bytecode(tmp_path):
    root = _book_root(tmp_path)
    before = bookpages._fingerprint(root, answers=True)
    (root / "book" / "intro.md").write_text("# Home, changed\n")  # pages have their own cache
    (root / "book" / "_ext" / "__pycache__").mkdir()
    (root / "book" / "_ext" / "__pycache__" / "one.cpython-311.pyc").write_bytes(b"\0")
    assert bookpages._fingerprint(root, answers=True) == before
