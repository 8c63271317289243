"""The one loader of ``mhtrain/specs/``: reads YAML specs and checks that they are sourced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    ValidationError,
)

from mhtrain.errors import SpecError

SPEC_DIR = Path(__file__).resolve().parent / "specs"
_SOURCE_FIELDS = ("title", "publisher", "year", "url")
#: PyYAML's safe loader, in C where PyYAML was built with libyaml (its wheels are): it reads
#: the specs several times faster, and every process that loads the course data reads them.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one YAML mapping, with a clear error if the file is missing or malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file {path} not found; check the scenario name or path") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
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


# ---- parameters: structure (pydantic) and meaning (by kind) ---------------------------------
_Number = StrictInt | StrictFloat
_Pair = tuple[_Number, _Number]
_NumberOrMap = _Number | dict[str, _Number]
_AgeRange = tuple[StrictInt, StrictInt | None]


class _Parameter(BaseModel):
    """The keys a parameter may have (a misspelt key is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")
    value: Any
    kind: str
    source: str | None = None
    illustrative: StrictBool | None = None
    calibrated: StrictBool | None = None
    basis: str | None = None
    note: str | None = None


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return [] if value is None else [float(value)]


def _rows(value: Any) -> list[Any]:
    """A value's rows: the mapping itself, or each mapping in a mapping of mappings."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return list(value.values())
    return [value]


def _share_problem(value: Any) -> str | None:
    for row in _rows(value):
        if any(v < 0 or v > 1 for v in row.values()):
            return "has a share below 0 or above 1; each share must be between 0 and 1"
        total = sum(row.values())
        if abs(total - 1) > _SHARE_TOLERANCE:
            return f"shares sum to {total:.4f}; they must sum to 1"
    return None


def _at_least(low: float, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        bad = [n for n in _numbers(value) if n < low]
        if bad and min(bad) < 0:
            return f"has a negative number ({min(bad):g}); {what} must be {low:g} or more"
        return f"has {min(bad):g}; {what} must be above {low:g}" if bad else None

    return check


def _probability_problem(value: Any) -> str | None:
    numbers = _numbers(value)
    if any(n < 0 for n in numbers):
        return "has a negative number; a probability lies between 0 and 1"
    if any(n > 1 for n in numbers):
        return "is a probability above 1; use a value between 0 and 1"
    return None


def _ratio_problem(value: Any) -> str | None:
    numbers = _numbers(value)
    if any(n < 0 for n in numbers):
        return "has a negative number; a ratio must be above 0"
    return "is a ratio of 0; a ratio must be above 0" if any(n == 0 for n in numbers) else None


def _ordered_pairs(value: Any, what: str, *, strict: bool = False) -> str | None:
    pairs = list(value.values()) if isinstance(value, dict) else [value]
    for lo, hi in pairs:
        if lo < 0:
            return f"has a negative number; {what} must be 0 or more"
        if (lo >= hi) if strict else (lo > hi):
            return f"gives [{lo}, {hi}]; the first number of {what} must not exceed the second"
    return None


def _age_range_problem(value: Any) -> str | None:
    lo, hi = value
    if lo < 0:
        return "has a negative age; ages are 0 or more"
    if hi is not None and hi < lo:
        return f"gives ages [{lo}, {hi}]; the youngest age must come first"
    return None


def _sd_problem(value: Any) -> str | None:
    return "has a negative spread; use a spread of 0 or more" if value[1] < 0 else None


@dataclass(frozen=True)
class _Kind:
    """What a kind of parameter holds (its shape, for pydantic) and what it must mean."""

    shape: Any
    shape_text: str
    meaning: Callable[[Any], str | None]


_KINDS: dict[str, _Kind] = {
    "share": _Kind(
        dict[str, _Number] | dict[str, dict[str, _Number]],
        "a mapping of shares (or of rows of shares)",
        _share_problem,
    ),
    "probability": _Kind(_NumberOrMap, "a number or a mapping of numbers", _probability_problem),
    "rate": _Kind(_NumberOrMap, "a number or a mapping of numbers", _at_least(0, "a rate")),
    "factor": _Kind(
        _NumberOrMap, "a number or a mapping of numbers", _at_least(0, "a relative factor")
    ),
    "ratio": _Kind(_NumberOrMap, "a number or a mapping of numbers", _ratio_problem),
    "log_odds": _Kind(_NumberOrMap, "a number or a mapping of numbers", lambda v: None),
    "tilt": _Kind(_NumberOrMap, "a number or a mapping of numbers", lambda v: None),
    "spread": _Kind(_NumberOrMap, "a number or a mapping of numbers", _at_least(0, "a spread")),
    "mean_count": _Kind(_Number, "a number", _at_least(0, "a mean count")),
    "count": _Kind(StrictInt, "a whole number", _at_least(0, "a count")),
    "days": _Kind(
        _Number | dict[str, _Number] | list[_Number],
        "a number, a list or a mapping of numbers of days",
        _at_least(0, "a number of days"),
    ),
    "day_range": _Kind(
        _Pair, "[fewest, most] days", lambda v: _ordered_pairs(v, "a day range", strict=True)
    ),
    "median_max_days": _Kind(
        _Pair | dict[str, _Pair],
        "[median, maximum] days, or a mapping of them",
        lambda v: _ordered_pairs(v, "[median, maximum]"),
    ),
    "age": _Kind(StrictInt, "a whole number of years", _at_least(0, "an age")),
    "age_range": _Kind(
        _AgeRange, "[youngest, oldest] ages (oldest may be null)", _age_range_problem
    ),
    "score_distribution": _Kind(_Pair, "[mean, spread] of a score", _sd_problem),
    "score_points": _Kind(StrictInt, "a whole number of points", _at_least(0, "a score change")),
    "multiplier_range": _Kind(
        dict[str, _Pair],
        "a mapping of [lowest, highest] multipliers",
        lambda v: _ordered_pairs(v, "a multiplier range"),
    ),
}
_PARAMETER = TypeAdapter(_Parameter)


@cache
def _shape(kind: str) -> TypeAdapter:
    """The pydantic validator of a kind's shape, made once (making one takes a while)."""
    return TypeAdapter(_KINDS[kind].shape)


def parameter_kinds() -> tuple[str, ...]:
    """The kinds a scenario parameter may declare with ``kind:``."""
    return tuple(_KINDS)


def _one_line(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else err["msg"]


def _param_problem(where: str, node: dict[str, Any]) -> str | None:
    """The first structural or meaning problem of one parameter (None when it is sound)."""
    if "kind" not in node:
        return f"{where} has no `kind`; add `kind:` one of {', '.join(_KINDS)}"
    try:
        param = _PARAMETER.validate_python(node)
    except ValidationError as exc:
        extra = [e["loc"][0] for e in exc.errors() if e["type"] == "extra_forbidden"]
        if extra:
            return (
                f"{where} has unknown key '{extra[0]}'; use value, kind, source, illustrative, "
                "calibrated, basis and note"
            )
        return f"{where} is malformed ({_one_line(exc)}); fix that key"
    kind = _KINDS.get(param.kind)
    if kind is None:
        return f"{where} has unknown kind '{param.kind}'; use one of {', '.join(_KINDS)}"
    try:
        value = _shape(param.kind).validate_python(param.value)
    except ValidationError:
        return f"{where} is not {kind.shape_text}, as kind '{param.kind}' needs; fix its value"
    problem = kind.meaning(value)
    return f"{where} {problem}" if problem else None


class _Target(BaseModel):
    """A published figure the scenario must reproduce."""

    model_config = ConfigDict(extra="forbid")
    id: str
    label: str
    statistic: str
    value: _Number
    tolerance: _Number
    relative: StrictBool = False
    kind: Literal["within", "at_least", "greater_than"] = "within"
    source: str | None = None
    illustrative: StrictBool | None = None
    note: str | None = None


_TARGET = TypeAdapter(_Target)


def _check_meaning(spec: dict[str, Any], problems: list[str]) -> None:
    for where, node in _walk_params(spec):
        if where.startswith("targets"):
            continue
        problem = _param_problem(where, node)
        if problem:
            problems.append(problem)
    for i, target in enumerate(spec.get("targets", [])):
        try:
            checked = _TARGET.validate_python(target)
        except ValidationError as exc:
            problems.append(f"targets[{i}] is malformed ({_one_line(exc)}); fix that key")
            continue
        if checked.tolerance < 0:
            problems.append(f"targets[{i}] ({checked.id}) has a negative tolerance; use 0 or more")
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
