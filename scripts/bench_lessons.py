"""Time each lesson run top to bottom with its solutions (target: under 60 s each)."""

from __future__ import annotations

import os
import tempfile
import time

TARGET_S = 60.0


def run() -> list[dict]:
    from nbclient import NotebookClient

    from mhtrain.course.build import lesson_id, lesson_sources, source_notebook
    from mhtrain.data import data_dir

    os.environ.setdefault("MHTRAIN_DATA_DIR", str(data_dir()))
    rows = []
    for path in lesson_sources():
        nb = source_notebook(path)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp}}
            ).execute()
            took = time.perf_counter() - started
        rows.append(
            {
                "name": f"lesson {lesson_id(path)} with solutions",
                "value": took,
                "unit": "s",
                "target": f"< {TARGET_S:.0f} s",
                "ratio": took / TARGET_S,
            }
        )
    return rows
