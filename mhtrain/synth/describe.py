"""Plain-language descriptions of a scenario, for the book's "About the synthetic data" page."""

from __future__ import annotations

from typing import Any

from mhtrain.specload import _walk_params, load_sources

# A mapping with more values than this is summarised rather than listed in full.
_LISTED_VALUES = 8

_SECTIONS = {
    "population": "Who lives in the area",
    "area_shares": "Local areas",
    "area_deprivation_tilt": "Local areas",
    "area_diversity": "Local areas",
    "contact": "Contact with mental health services",
    "detention": "Detention under the Mental Health Act",
    "community_treatment_orders": "Community treatment orders",
    "inpatient": "Hospital care and restrictive interventions",
    "referrals": "Referrals, waits and appointments",
    "recording": "How ethnicity is recorded",
    "talking_therapies": "NHS Talking Therapies",
    "messy": "Data-quality errors (messy version only)",
}


def _number(x: Any) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        if len(value) > _LISTED_VALUES:
            return f"{len(value)} values (see the scenario file)"
        if all(isinstance(v, dict) for v in value.values()):
            return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
        return ", ".join(
            f"{k} {_number(v) if not isinstance(v, list) else _value(v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    return _number(value)


def _cite(source_id: str) -> str:
    src = load_sources()[source_id]
    return f"[{src['title']}]({src['url']}) ({src['publisher']}, {src['year']})"


def _label(target: dict) -> str:
    return target.get("label") or target["id"].replace("_", " ").capitalize()


def describe_planted_effects(scenario: str = "default") -> str:
    """Markdown listing the published figures a scenario reproduces and every parameter in it.

    Each parameter says whether it rests on a published source or is illustrative (chosen for
    teaching where no published figure exists), with the reason.
    """
    from mhtrain.synth import prepare

    sc, _ = prepare(scenario)
    out = [
        "### Published figures the data reproduce",
        "",
        "The generator is calibrated so that the whole area matches these published national",
        "figures. Each is checked in the project's tests, within the tolerance shown.",
        "",
        "| Figure | Published value | Tolerance | Source |",
        "|---|---|---|---|",
    ]
    for t in sc.spec.get("targets", []):
        kind = t.get("kind", "within")
        if kind == "at_least":
            tol = "at least this"
        elif kind == "greater_than":
            tol = "above this"
        else:
            tol = f"± {t['tolerance']:.0%}" if t.get("relative") else f"± {_number(t['tolerance'])}"
        note = f" {t['note']}" if t.get("note") else ""
        out.append(f"| {_label(t)}.{note} | {_number(t['value'])} | {tol} | {_cite(t['source'])} |")
    out += [
        "",
        "### Every setting of the scenario",
        "",
        "Settings marked **illustrative** have no published figure behind their size: they were",
        "chosen for teaching, and the note says why. Where a published source supports the",
        "*direction* of an illustrative effect, it is named. Settings marked **calibrated** are",
        "adjusted by the generator so that the figures above are met; the value shown is the one",
        "it settled on.",
        "",
    ]
    current = None
    for where, param in _walk_params(sc.spec):
        if where.startswith("targets"):
            continue
        head = where.split(".")[0]
        section = _SECTIONS.get(head, head.replace("_", " ").capitalize())
        if section != current:
            out += ["", f"#### {section}", ""]
            current = section
        value = sc.calibrated.get(where, param["value"])
        if param.get("source"):
            status = f"published: {_cite(param['source'])}"
        else:
            status = "**illustrative**"
            if param.get("basis"):
                status += f"; direction from {_cite(param['basis'])}"
        if param.get("calibrated"):
            status += "; **calibrated**"
        note = " ".join(str(param.get("note", "")).split())
        out.append(f"- `{where}` = {_value(value)}. {note} ({status})")
    return "\n".join(out) + "\n"
