"""Bad input gets one clear error line, a non-zero exit and no half-written files."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml

from mhtrain.specload import SPEC_DIR, read_yaml


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mhtrain.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _broken_spec(tmp_path, change) -> str:
    spec = copy.deepcopy(read_yaml(SPEC_DIR / "default.yaml"))
    change(spec)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return str(path)


CASES = {
    "negative population": (["--population", "-5"], "--population must be above zero"),
    "zero population": (["--population", "0"], "--population must be above zero"),
    "non-integer seed": (["--seed", "1.5"], "--seed must be a whole number"),
    "text seed": (["--seed", "abc"], "--seed must be a whole number"),
    "unknown scenario": (["--scenario", "mars"], "unknown scenario 'mars'"),
    "unknown format": (["--format", "xlsx"], "unknown format xlsx"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_argument_gives_one_error_line_and_writes_nothing(tmp_path, case):
    args, message = CASES[case]
    out = tmp_path / "out"
    result = _run("generate", "--population", "2000", *args, "--out", str(out), "--quiet")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mhtrain: error:"), result.stderr
    assert message in lines[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["detention"]["base_rate"].pop("illustrative"), "has no source"),
        (
            lambda s: s["talking_therapies"]["caseness_probability"].update(value=2),
            "probability above 1",
        ),
    ],
    ids=["spec with a missing source", "spec with a probability above 1"],
)
def test_broken_spec_file_is_refused(tmp_path, change, message):
    spec = _broken_spec(tmp_path, change)
    out = tmp_path / "out"
    result = _run("generate", "--scenario", spec, "--population", "2000", "--out", str(out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert not out.exists()


def test_unwritable_output_folder_is_refused_without_leftovers(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = _run("generate", "--population", "2000", "--out", str(blocker / "data"), "--quiet")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot write" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_failed_write_leaves_an_existing_dataset_untouched(tmp_path, monkeypatch):
    """If writing fails halfway, the files already in the folder are not replaced."""
    import mhtrain
    from mhtrain.errors import MhtrainError
    from mhtrain.synth import dataset as dataset_module

    ds = mhtrain.generate(population=3000, seed=1)
    out = ds.to_dir(tmp_path / "data")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(df, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset_module, "write_parquet", broken)
    with pytest.raises(MhtrainError, match="cannot write"):
        mhtrain.generate(population=3000, seed=2).to_dir(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_generate_and_describe_work_from_the_command_line(tmp_path):
    result = _run(
        "generate",
        "--population",
        "3000",
        "--seed",
        "9",
        "--out",
        str(tmp_path / "d"),
        "--format",
        "csv",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "people.csv").exists()
    assert not (tmp_path / "d" / "people.parquet").exists()
    described = _run("describe")
    assert described.returncode == 0
    assert "nhs_number" in described.stdout and "MHS001MPI" in described.stdout


def test_every_command_is_registered():
    from mhtrain.cli import build_parser

    parser = build_parser()
    [sub] = [a for a in parser._actions if a.dest == "command"]
    assert {"generate", "describe", "lab", "book", "course"} <= set(sub.choices)


def test_a_command_module_that_cannot_be_imported_stops_the_command_line_loudly():
    """A broken part of the package is an error, never a command that silently goes missing."""
    code = (
        "import sys\n"
        "sys.modules['mhtrain.course.tutor_commands'] = None  # as if it failed to import\n"
        "import mhtrain.cli\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "tutor_commands" in result.stderr
