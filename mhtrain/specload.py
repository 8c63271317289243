"""The one loader of ``mhtrain/specs/``: reads YAML specs and checks that they are sourced."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mhtrain.errors import SpecError

SPEC_DIR = Path(__file__).resolve().parent / "specs"
_SOURCE_FIELDS = ("title", "publisher", "year", "url")


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one YAML mapping, with a clear error if the file is missing or malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file {path} not found; check the scenario name or path") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SpecError(f"spec file {path} is not valid YAML{where}; fix its syntax") from None
    if not isinstance(data, dict):
        raise SpecError(f"spec file {path} must hold a mapping at the top level")
    return data


@cache
def load_sources(spec_dir: Path = SPEC_DIR) -> dict[str, dict[str, Any]]:
    """Return every source in ``sources*.yaml``, keyed by id, each with title, publisher, year, url."""
    sources: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(spec_dir).glob("sources*.yaml")):
        for key, entry in read_yaml(path).items():
            if key in sources:
                raise SpecError(f"source id '{key}' is defined twice; keep one entry ({path.name})")
            missing = [f for f in _SOURCE_FIELDS if not (isinstance(entry, dict) and entry.get(f))]
            if missing:
                raise SpecError(
                    f"source '{key}' in {path.name} lacks {', '.join(missing)}; add them"
                )
            sources[key] = dict(entry)
    return sources


def standard_population(name: str = "esp2013") -> Any:
    """Return a standard population as a DataFrame with ``age_band`` and ``weight`` columns.

    Parameters
    ----------
    name
        Key in ``specs/standard_populations.yaml`` (default: the 2013 European Standard Population).

    Returns
    -------
    pandas.DataFrame
        One row per age band, in order, with the band's weight.
    """
    import pandas as pd

    specs = read_yaml(SPEC_DIR / "standard_populations.yaml")
    if name not in specs:
        known = ", ".join(sorted(specs))
        raise SpecError(f"unknown standard population '{name}'; choose one of: {known}")
    entry = specs[name]
    if entry.get("source") not in load_sources():
        raise SpecError(f"standard population '{name}' must name a source listed in sources.yaml")
    bands, weights = entry["age_bands"], entry["weights"]
    if len(bands) != len(weights):
        raise SpecError(f"standard population '{name}': age_bands and weights differ in length")
    return pd.DataFrame({"age_band": bands, "weight": weights})


# --------------------------------------------------------------------------------------------
# Scenarios

_NOT_SCENARIOS = ("sources", "codes", "standard_", "schema")
_SHARE_SUFFIXES = ("_shares", "_by_age", "_by_team")
_SHARE_TOLERANCE = 0.0015  # published shares are rounded to 0.1 percentage point


def scenario_path(scenario: str | Path) -> Path:
    """Resolve a scenario name (``"default"``) or a path to a YAML file."""
    path = Path(scenario)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise SpecError(f"scenario file {path} not found; give an existing .yaml file")
        return path
    candidate = SPEC_DIR / f"{scenario}.yaml"
    if not candidate.exists() or str(scenario).startswith(_NOT_SCENARIOS):
        known = ", ".join(available_scenarios())
        raise SpecError(f"unknown scenario '{scenario}'; choose one of: {known}, or a .yaml path")
    return candidate


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``mhtrain/specs``."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml") if not p.stem.startswith(_NOT_SCENARIOS))


def load_scenario(scenario: str | Path = "default") -> dict[str, Any]:
    """Read a scenario spec and check its meaning.

    Checks that every number is a parameter with a known source or marked illustrative, that
    probabilities lie in [0, 1], that shares sum to 1, and that age bands are contiguous.

    Parameters
    ----------
    scenario
        A scenario name or a path to a scenario YAML file.

    Returns
    -------
    dict
        The parsed spec (parameters keep their ``value``/``source`` structure).
    """
    path = scenario_path(scenario)
    spec = read_yaml(path)
    problems = scenario_problems(spec)
    if problems:
        raise SpecError(
            f"{path.name}: {problems[0]}"
            + (f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else "")
        )
    return spec


def scenario_problems(spec: dict[str, Any]) -> list[str]:
    """Every problem found in a parsed scenario spec (empty when it is sound)."""
    problems: list[str] = []
    _check_node(spec, "", load_sources(), problems)
    _check_meaning(spec, problems)
    return problems


def is_param(node: Any) -> bool:
    """True if ``node`` is a parameter mapping (has a ``value``)."""
    return isinstance(node, dict) and "value" in node


def _numbers_in(node: Any) -> bool:
    if isinstance(node, bool):
        return False
    if isinstance(node, int | float):
        return True
    if isinstance(node, dict):
        return any(_numbers_in(v) for v in node.values())
    if isinstance(node, list):
        return any(_numbers_in(v) for v in node)
    return False


def _check_node(node: Any, where: str, sources: dict, problems: list[str]) -> None:
    if is_param(node) or (where.startswith("targets[") and isinstance(node, dict)):
        src, illus = node.get("source"), node.get("illustrative") is True
        if src is None and not illus:
            problems.append(
                f"{where} has no source; add `source: <id>` from sources.yaml or `illustrative: true`"
            )
        elif src is not None and src not in sources:
            problems.append(f"{where} names unknown source '{src}'; add it to sources.yaml")
        if node.get("basis") is not None and node["basis"] not in sources:
            problems.append(
                f"{where} names unknown basis '{node['basis']}'; add it to sources.yaml"
            )
        if illus and not node.get("note"):
            problems.append(f"{where} is illustrative but has no `note` saying why")
        return
    if isinstance(node, dict):
        for key, value in node.items():
            _check_node(value, f"{where}.{key}" if where else str(key), sources, problems)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_node(value, f"{where}[{i}]", sources, problems)
    elif _numbers_in(node):
        problems.append(
            f"{where} is a bare number; make it a parameter with `value` and `source` "
            "or `illustrative: true`"
        )


def _walk_params(node: Any, where: str = ""):
    if is_param(node):
        yield where, node
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_params(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_params(value, f"{where}[{i}]")


def _leaf_numbers(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaf_numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaf_numbers(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def _check_meaning(spec: dict[str, Any], problems: list[str]) -> None:
    for where, param in _walk_params(spec):
        value = param["value"]
        name = where.rsplit(".", 1)[-1]
        signed = name.endswith(("_tilt", "_log_odds", "_intercept"))
        if not signed and any(n < 0 for n in _leaf_numbers(value)):
            problems.append(f"{where} has a negative number; rates, shares and sizes must be >= 0")
        if "probabilit" in name or name.endswith(("_share", "_missing")) or name.startswith("to_"):
            if any(n > 1 for n in _leaf_numbers(value)):
                problems.append(f"{where} is a probability above 1; use a value between 0 and 1")
        if name.endswith(_SHARE_SUFFIXES) or name in {"value"}:
            groups = (
                value.values()
                if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
                else [value]
            )
            for group in groups:
                if isinstance(group, dict) and all(
                    isinstance(v, int | float) for v in group.values()
                ):
                    if name.endswith("_by_age") and name.startswith("female"):
                        continue  # a share per band, not a distribution over bands
                    total = sum(group.values())
                    if abs(total - 1) > _SHARE_TOLERANCE:
                        problems.append(f"{where} shares sum to {total:.4f}; they must sum to 1")
                    if any(v > 1 for v in group.values()):
                        problems.append(f"{where} has a share above 1")
        if name.endswith("_by_age") and name.startswith("female"):
            if any(n > 1 for n in _leaf_numbers(value)):
                problems.append(f"{where} is a probability above 1; use a value between 0 and 1")
    pop = spec.get("population", {})
    bands = pop.get("age_bands")
    if bands:
        try:
            bounds = [parse_age_band(b) for b in bands]
        except ValueError as exc:
            problems.append(f"population.age_bands: {exc}")
            return
        for (lo1, hi1), (lo2, _) in zip(bounds, bounds[1:], strict=False):
            if hi1 is None or lo2 != hi1 + 1:
                problems.append(
                    f"population.age_bands are not contiguous at {lo1}-{hi1} / {lo2}; "
                    "each band must start the year after the last ends"
                )
        if bounds[0][0] != 0 or bounds[-1][1] is not None:
            problems.append("population.age_bands must start at 0 and end with an open band (90+)")
        for key in ("age_shares", "female_share_by_age"):
            shares = pop.get(key, {}).get("value", {})
            if shares and list(shares) != list(bands):
                problems.append(f"population.{key} must list exactly the age bands, in order")
    for key in ("area_shares", "area_deprivation_tilt", "area_diversity"):
        areas = [a["code"] for a in spec.get("areas", [])]
        if key in spec and sorted(spec[key]["value"]) != sorted(areas):
            problems.append(f"{key} must give a value for every area code, and only those")


def parse_age_band(band: str) -> tuple[int, int | None]:
    """Parse ``"15-19"`` to ``(15, 19)`` and ``"90+"`` to ``(90, None)``."""
    band = str(band).strip()
    if band.endswith("+") and band[:-1].isdigit():
        return int(band[:-1]), None
    lo, sep, hi = band.partition("-")
    if not sep or not lo.isdigit() or not hi.isdigit() or int(hi) < int(lo):
        raise ValueError(f"age band '{band}' is not of the form '15-19' or '90+'")
    return int(lo), int(hi)


def param(spec: dict[str, Any], dotted: str) -> Any:
    """Return the value of the parameter at a dotted path, e.g. ``"detention.base_rate"``."""
    node: Any = spec
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise SpecError(f"spec has no parameter '{dotted}'; add it to the scenario")
        node = node[part]
    return node["value"] if is_param(node) else node


@cache
def load_codes() -> dict[str, dict[str, Any]]:
    """Return the NHS value sets in ``codes.yaml``, checked: sourced, unique codes and keys."""
    table = read_yaml(SPEC_DIR / "codes.yaml")
    sources = load_sources()
    for name, entry in table.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("codes"), list):
            raise SpecError(f"codes.yaml: value set '{name}' needs a `codes:` list")
        if entry.get("source") not in sources:
            raise SpecError(f"codes.yaml: value set '{name}' must name a source in sources*.yaml")
        codes = [str(c.get("code")) for c in entry["codes"]]
        keys = [c.get("key") for c in entry["codes"]]
        if len(set(codes)) != len(codes) or len(set(keys)) != len(keys) or None in keys:
            raise SpecError(f"codes.yaml: value set '{name}' repeats a code or key, or lacks a key")
        for c in entry["codes"]:
            c["code"] = str(c["code"])
    return table


def code_for(value_set: str, key: str) -> str:
    """The NHS code for one of our internal keys, e.g. ``code_for("mha_legal_status", "s2")``."""
    for c in load_codes()[value_set]["codes"]:
        if c["key"] == key:
            return c["code"]
    raise SpecError(f"codes.yaml: value set '{value_set}' has no key '{key}'; add it")


_FIELD_KEYS = {
    "name",
    "type",
    "codes",
    "description",
    "key",
    "references",
    "nullable",
    "min",
    "max",
    "illustrative",
}


@cache
def load_schema() -> dict[str, dict[str, Any]]:
    """Return the table definitions in ``schema.yaml``, checked against the code lists."""
    schema = read_yaml(SPEC_DIR / "schema.yaml")
    codes = load_codes()
    sources = load_sources()
    for table, entry in schema.items():
        if entry.get("source") is not None and entry["source"] not in sources:
            raise SpecError(
                f"schema.yaml: table '{table}' names unknown source '{entry['source']}'"
            )
        for f in entry["fields"]:
            unknown = set(f) - _FIELD_KEYS
            if unknown:
                raise SpecError(
                    f"schema.yaml: {table}.{f.get('name')} has unknown keys {sorted(unknown)}; "
                    "quote descriptions that contain commas"
                )
            if f.get("codes") and f["codes"] not in codes:
                raise SpecError(
                    f"schema.yaml: {table}.{f['name']} uses value set '{f['codes']}' "
                    "which is not in codes.yaml"
                )
    return schema
