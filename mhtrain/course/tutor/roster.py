"""The class list: students' ids (which become folder names), names and email."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from mhtrain.errors import MhtrainError

_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
_COLUMN_NAMES = {
    "id": "id",
    "student_id": "id",
    "student": "id",
    "username": "id",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "forename": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "email": "email",
    "email_address": "email",
}


def check_student_id(student: str, where: str) -> str:
    """Return a student id stripped, or say (naming ``where``) why it cannot be a folder name."""
    student = student.strip()
    if not _STUDENT_ID.match(student):
        raise MhtrainError(
            f"{where}: student id {student!r} cannot be used as a folder name; use letters, "
            "digits and . _ - @ + only (for example their username)"
        )
    return student


def read_students(path: Path | str) -> list[dict[str, str]]:
    """Read a class list: a CSV file with a column ``id`` and, if wished, names and email.

    Parameters
    ----------
    path : path
        The CSV file. Column headings are matched loosely: ``id`` (or ``student_id``,
        ``username``), ``first_name`` (or ``first name``, ``given name``), ``last_name``
        (or ``surname``), ``email``. Other columns are ignored.

    Returns
    -------
    list of dict
        One dict per student, with keys ``id`` and any of ``first_name``, ``last_name``,
        ``email`` that the file has.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MhtrainError(f"class list {path} does not exist; check the path") from None
    except UnicodeDecodeError:
        raise MhtrainError(f"{path} is not UTF-8 text; save it as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise MhtrainError(f"{path} is empty; give one row per student under a heading 'id'")
    keys = [
        _COLUMN_NAMES.get(re.sub(r"[\s-]+", "_", heading.strip().lower())) for heading in rows[0]
    ]
    if "id" not in keys:
        raise MhtrainError(
            f"{path} has no 'id' column; its first row must be headings, for example "
            "id,first_name,last_name,email"
        )
    students: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        record = {
            key: value.strip() for key, value in zip(keys, row, strict=False) if key is not None
        }
        where = f"{path} row {number}"
        if not record.get("id"):
            raise MhtrainError(f"{where}: the student id is empty; fill it in or delete the row")
        record["id"] = check_student_id(record["id"], where)
        if record["id"] in seen:
            raise MhtrainError(f"{where}: student id {record['id']!r} appears twice; keep one")
        seen.add(record["id"])
        students.append({k: v for k, v in record.items() if v})
    return students
