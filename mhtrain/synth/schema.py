"""Table schemas from ``specs/schema.yaml``: validation, the data dictionary and datapackage.json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mhtrain.specload import load_codes, load_schema, load_sources

if TYPE_CHECKING:  # pandera is imported where tables are validated: reading data needs none of it
    import pandera.pandas as pa

# How a missing value looks to the Frictionless validator in each format.
_MISSING_VALUES = {"csv": ("",), "parquet": ("", "NaT", "<NA>", "nan", "None")}
_FRICTIONLESS_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
}


def table_schema(table: str, *, strict_codes: bool = True) -> pa.DataFrameSchema:
    """A pandera schema for one table: types, ranges, code lists, keys unique.

    Parameters
    ----------
    table
        Table name, e.g. ``"people"``.
    strict_codes
        Check code fields against their NHS value sets (switch off for messy data).
    """
    import pandera.pandas as pa

    spec = load_schema()[table]
    codes = load_codes()
    columns = {}
    for f in spec["fields"]:
        checks = []
        if "min" in f:
            checks.append(pa.Check.ge(f["min"]))
        if "max" in f:
            checks.append(pa.Check.le(f["max"]))
        if f.get("codes") and strict_codes:
            allowed = [c["code"] for c in codes[f["codes"]]["codes"]]
            checks.append(pa.Check.isin(allowed))
        columns[f["name"]] = pa.Column(
            None,  # pandas 3 string and nullable integer dtypes vary; values are checked instead
            checks=checks,
            nullable=bool(f.get("nullable")),
            unique=bool(f.get("key")),
            required=True,
        )
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=table)


def validate_tables(tables: dict[str, pd.DataFrame], *, strict_codes: bool = True) -> None:
    """Validate every table and its foreign keys; raise pandera's error on the first problem."""
    import pandera.pandas as pa

    schema = load_schema()
    for table, df in tables.items():
        table_schema(table, strict_codes=strict_codes).validate(df, lazy=True)
        for f in schema[table]["fields"]:
            ref = f.get("references")
            if not ref:
                continue
            ref_table, ref_field = ref.split(".")
            values = df[f["name"]].dropna()
            known = pd.Index(tables[ref_table][ref_field])
            missing = ~values.isin(known)
            if missing.any():
                raise pa.errors.SchemaError(
                    table_schema(table),
                    df,
                    f"{table}.{f['name']}: {int(missing.sum())} value(s) not found in {ref}",
                )


def fields(table: str) -> list[dict[str, Any]]:
    """The field definitions of a table."""
    return list(load_schema()[table]["fields"])


def dictionary_markdown() -> str:
    """The data dictionary as Markdown: one section per table, one row per field."""
    schema, codes, sources = load_schema(), load_codes(), load_sources()
    out = [
        "# Data dictionary",
        "",
        "Every table in the synthetic dataset, field by field. No real person is in these data:",
        "the records were generated, and the patterns in them were planted to mirror published",
        "statistics. Fields marked *illustrative* follow a pattern for which no published figure",
        "was available; their sizes were chosen for teaching.",
        "",
    ]
    for table, spec in schema.items():
        out += [f"## `{table}`", "", f"{spec['title']}.", ""]
        out += [f"Real-world counterpart: {spec['counterpart']}."]
        if spec.get("source"):
            src = sources[spec["source"]]
            out += [
                f"Reference: [{src['title']}]({src['url']}) ({src['publisher']}, {src['year']})."
            ]
        if spec.get("note"):
            out += ["", spec["note"]]
        out += ["", "| Field | Type | Description | Codes |", "|---|---|---|---|"]
        for f in spec["fields"]:
            desc = f["description"]
            if f.get("illustrative"):
                desc += " *Illustrative.*"
            if f.get("references"):
                desc += f" Links to `{f['references']}`."
            code_note = (
                f"{{ref}}`{f['codes']} <codes-{f['codes'].replace('_', '-')}>`"
                if f.get("codes")
                else ""
            )

            out.append(f"| `{f['name']}` | {f['type']} | {desc} | {code_note} |")
        out.append("")
    out += ["## Code lists", ""]
    used = {f["codes"] for spec in schema.values() for f in spec["fields"] if f.get("codes")}
    for name in sorted(used):
        entry = codes[name]
        src = sources[entry["source"]]
        out += [
            f"(codes-{name.replace('_', '-')})=",
            f"### Codes: {name}",
            "",
            entry.get("description", ""),
            *([entry["note"]] if entry.get("note") else []),
            f"Source: [{src['title']}]({src['url']}).",
            "",
            "| Code | Meaning |",
            "|---|---|",
        ]
        out += [f"| `{c['code']}` | {c['label']} |" for c in entry["codes"]]
        out.append("")
    return "\n".join(out)


def describe_text() -> str:
    """A plain-text data dictionary for the terminal (``mhtrain describe``)."""
    lines = []
    for table, spec in load_schema().items():
        lines.append(f"{table}: {spec['title']} [{spec['counterpart']}]")
        for f in spec["fields"]:
            extra = f" (codes: {f['codes']})" if f.get("codes") else ""
            lines.append(f"  {f['name']:<24} {f['type']:<8} {f['description']}{extra}")
        lines.append("")
    return "\n".join(lines)


def _resource_name(table: str, fmt: str) -> str:
    return table if fmt == "csv" else f"{table}-{fmt}"


def _field_descriptor(f: dict[str, Any]) -> dict[str, Any]:
    fd = {
        "name": f["name"],
        "type": _FRICTIONLESS_TYPES[f["type"]],
        "description": f["description"],
    }
    constraints = {}
    if "min" in f:
        constraints["minimum"] = f["min"]
    if "max" in f:
        constraints["maximum"] = f["max"]
    if f.get("key"):
        constraints["unique"] = True
    if not f.get("nullable"):
        constraints["required"] = True
    if constraints:
        fd["constraints"] = constraints
    return fd


def _table_schema(spec: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The Table Schema of one table in one file format.

    A missing value is an empty CSV cell; read from Parquet (by pandas, as Frictionless reads
    it) a missing date, whole number or text shows as ``NaT``, ``<NA>`` or ``nan``. Foreign keys
    are declared on the CSV resources, pointing at the referenced CSV table; the Parquet files
    hold the same rows, so declaring them twice would only make ``frictionless validate`` check
    every link twice (and the Parquet checks take minutes).
    """
    tschema: dict[str, Any] = {
        "fields": [_field_descriptor(f) for f in spec["fields"]],
        "missingValues": list(_MISSING_VALUES[fmt]),
    }
    keys = [f["name"] for f in spec["fields"] if f.get("key")]
    if keys:
        tschema["primaryKey"] = keys
    fks = [
        {
            "fields": f["name"],
            "reference": {
                "resource": _resource_name(f["references"].split(".")[0], fmt),
                "fields": f["references"].split(".")[1],
            },
        }
        for f in spec["fields"]
        if f.get("references")
    ]
    if fks and fmt == "csv":
        tschema["foreignKeys"] = fks
    return tschema


def datapackage(dataset, formats) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the written files (every resource typed)."""
    schema, sources = load_schema(), load_sources()
    resources = []
    for table in dataset.tables:
        spec = schema[table]
        for fmt in formats:
            resources.append(
                {
                    "name": _resource_name(table, fmt),
                    "path": f"{table}.{fmt}",
                    "title": spec["title"],
                    "format": fmt,
                    **(
                        {"mediatype": "text/csv", "encoding": "utf-8"}
                        if fmt == "csv"
                        else {"mediatype": "application/vnd.apache.parquet"}
                    ),
                    "schema": _table_schema(spec, fmt),
                }
            )
    cited = sorted({s["source"] for s in schema.values() if s.get("source")})
    return {
        "profile": "data-package",
        "name": "mhtrain-synthetic-mental-health-records",
        "title": "mhtrain synthetic mental health records (no real people)",
        "description": (
            "Synthetic NHS-style mental health records for teaching. No real person is in them; "
            "patterns were planted to mirror published national statistics."
        ),
        "version": dataset.version,
        "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0"}],
        "sources": [{"title": sources[s]["title"], "path": sources[s]["url"]} for s in cited],
        "resources": resources,
    }


def readme_text(dataset) -> str:
    """The README written beside the data files."""
    rows = "\n".join(
        f"| `{t}` | {len(df):,} | {load_schema()[t]['title']} |" for t, df in dataset.tables.items()
    )
    return f"""# Synthetic mental health records

**No real person is in these data.** Every record was generated by the `mhtrain` package from a
scenario of published national statistics. The inequalities in them (for example, in detention
under the Mental Health Act by ethnic group) were planted on purpose, to mirror what official
statistics report, so that learners can find them and check their methods against the truth.

- Scenario: `{dataset.scenario}`; seed: {dataset.seed}; residents: {dataset.residents:,};
  generator version: {dataset.version}{"; messy (data-quality errors added and logged)" if dataset.messy else ""}.
- Reporting period: 1 April 2023 to 31 March 2024.
- Files: each table as CSV (opens in a spreadsheet) and Parquet (fast in Python, R or SQL).
- `manifest.json` lists row counts and a SHA-256 checksum of every file.
- `datapackage.json` describes every field (Frictionless Data Package).
- `truth.json` records what was planted and what was realised in this sample.

| Table | Rows | What it holds |
|---|---:|---|
{rows}

Regenerate these files exactly with `mhtrain generate --seed {dataset.seed} --population {dataset.residents}`.
The data dictionary is printed by `mhtrain describe`.
"""


def coerce_types(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give a table the column types its schema declares (same types however it was made or read).

    Integers that may be empty become pandas' nullable ``Int64``; dates ``datetime64[s]``;
    text pandas' string type; flags ``bool``.
    """
    out = {}
    for f in load_schema()[table]["fields"]:
        col = df[f["name"]]
        kind = f["type"]
        if kind == "date":
            col = pd.to_datetime(col).astype("datetime64[s]")
        elif kind == "integer":
            col = (
                col.astype("Int64")
                if (f.get("nullable") or col.isna().any())
                else col.astype("int64")
            )
        elif kind == "number":
            col = col.astype("float64")
        elif kind == "boolean":
            col = col.astype(bool)
        else:
            col = col.astype(pd.StringDtype(na_value=float("nan")))
        out[f["name"]] = col
    return pd.DataFrame(out, index=df.index)
