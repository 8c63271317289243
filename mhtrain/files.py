"""Writing files so that nothing is ever half-written: atomic files, atomic folders, checksums.

A file is written to a temporary name beside its target and moved into place in one step, so a
reader sees the old file or the new one, never a part of either. A folder is built beside its
target and swapped in whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644
_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Return the hexadecimal SHA-256 digest of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Return the hexadecimal SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_atomically(target: Path, fill: Callable[[str], None], mode: int) -> Path:
    """Make ``target`` by filling a temporary file beside it, then moving it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        fill(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_bytes(path: str | Path, data: bytes, *, mode: int = FILE_MODE) -> Path:
    """Write bytes to ``path`` atomically (creating its folder), and return the path."""
    return _replace_atomically(Path(path), lambda tmp: Path(tmp).write_bytes(data), mode)


def write_text(path: str | Path, text: str, *, mode: int = FILE_MODE) -> Path:
    """Write UTF-8 text to ``path`` atomically (line endings kept as given)."""
    return write_bytes(path, text.encode("utf-8"), mode=mode)


def write_if_changed(path: str | Path, text: str) -> bool:
    """Write text atomically unless the file already holds exactly it; return whether it wrote.

    An untouched file keeps its modification time, so builds that watch times do no work.
    """
    path = Path(path)
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    write_bytes(path, data)
    return True


def copy_file(source: str | Path, target: str | Path, *, mode: int = FILE_MODE) -> Path:
    """Copy a file to ``target`` atomically, and return the target."""
    return _replace_atomically(Path(target), lambda tmp: shutil.copyfile(source, tmp), mode)


@contextmanager
def staging_folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty folder beside ``target``; on success it replaces ``target`` whole.

    If the block raises, the staging folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        replace_folder(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def replace_folder(staging: str | Path, target: str | Path) -> Path:
    """Swap a finished folder in for ``target``: the old one is moved aside, then removed."""
    staging, target = Path(staging), Path(target)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, old / target.name)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old / target.name, target)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target
