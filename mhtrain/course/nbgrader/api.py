"""nbgrader's Python API and gradebook, quiet, with its failures read back in one line."""

from __future__ import annotations

import functools
import logging
import re
import warnings
from pathlib import Path
from typing import Any

from traitlets.config import Config


def _quiet_logger() -> logging.Logger:
    """A logger that nbgrader's messages go to, and nowhere else (they are read, not shown)."""
    log = logging.getLogger("mhtrain.course.nbgrader")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


class QuietAPI:
    """nbgrader's Python API, with its log kept for reading and its routine warnings hidden.

    Marking always makes nbgrader's database layer warn (harmless, known) and each kernel
    announce how it connects; neither helps a tutor, and both would break the progress bar.
    """

    def __init__(self, config: Config) -> None:
        from nbgrader.apps import NbGraderAPI

        read_gradebook_version_here()
        quiet = Config()
        quiet.merge(config)
        quiet.CourseExecute.quiet_kernel = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._api = NbGraderAPI(config=quiet, log=_quiet_logger())

    def call(self, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Call one method of ``NbGraderAPI`` and return its result dict."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(self._api, method)(*args, **kwargs)

    def generate_assignment(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.generate_assignment``."""
        return self.call("generate_assignment", *args, **kwargs)

    def autograde(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.autograde``."""
        return self.call("autograde", *args, **kwargs)

    def generate_feedback(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``NbGraderAPI.generate_feedback``."""
        return self.call("generate_feedback", *args, **kwargs)


@functools.cache
def _alembic_head() -> str:
    """The head revision of nbgrader's own database migrations: what a new gradebook records."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


def read_gradebook_version_here() -> None:
    """Let nbgrader find the version a new gradebook records in this process.

    Making a gradebook, nbgrader runs the ``alembic heads`` command for the head revision of
    the migrations it ships: a new Python process each time (about 2 s of a processor, and a
    command that must be on PATH). alembic's ``ScriptDirectory`` reads the same revision from
    the same folder here, once.
    """
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


def gradebook(root: Path, course_id: str) -> Any:
    """Open a course's gradebook (``gradebook.db`` in the course folder)."""
    from nbgrader.api import Gradebook

    read_gradebook_version_here()
    return Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}", course_id)


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(\w*(?:Error|Exception)): (.+)$")


def failure_reason(result: dict[str, Any]) -> str:
    """The most telling error line of a failed nbgrader call (its log names the real cause)."""
    text = "\n".join([result.get("log") or "", result.get("error") or ""])
    found = []
    for line in text.splitlines():
        match = _EXCEPTION_LINE.match(line.strip())
        if match and "see the the above traceback" not in line:
            found.append(f"{match.group(1)}: {match.group(2)}")
    return found[-1] if found else _last_line(result.get("error"))
