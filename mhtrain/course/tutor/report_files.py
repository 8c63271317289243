"""The files of a class report: its CSV tables and its HTML page (see :mod:`.report`).

The page needs no network and no JavaScript; every learner string in it is escaped.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mhtrain.course.nbgrader.export import COURSE_TIME_ZONE, NOT_SUBMITTED, late_by_text
from mhtrain.course.tutor.report import (
    _OUTCOME_WORDS,
    CORRECT,
    MANUAL,
    NOT_ATTEMPTED,
    NOT_YET,
    OUTCOMES,
)

if TYPE_CHECKING:
    from mhtrain.course.tutor.report import ClassReport, ExerciseSummary


# ------------------------------------------------------------------------------------------
# CSV files
# ------------------------------------------------------------------------------------------


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _pct(value: float) -> str:
    return f"{value:.0f}"


def exercise_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    header = ["exercise", "question", "marked"]
    for outcome in OUTCOMES:
        header += [_OUTCOME_WORDS[outcome], f"{_OUTCOME_WORDS[outcome]} %"]
    rows = []
    for e in report.exercises:
        row: list[Any] = [e.exercise, e.question, e.marked]
        for outcome in OUTCOMES:
            row += [e.counts[outcome], _pct(e.share(outcome))]
        rows.append(row)
    return header, rows


def misconception_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    header = ["exercise", "misconception", "what it means", "learners", "learner ids"]
    rows = [
        [e.exercise, name, report.messages.get(name, ""), len(who), " ".join(who)]
        for e in report.exercises
        for name, who in sorted(e.misconceptions.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return header, rows


def score_bins(report: ClassReport) -> list[tuple[str, int]]:
    """Marked learners per score band: one band per mark when the lesson has few marks."""
    values = [(s, m) for s, m in report.scores.values() if s is not None and m]
    if not values:
        return []
    top = max(m for _, m in values)
    whole = all(float(s).is_integer() for s, _ in values) and float(top).is_integer()
    if whole and top <= 12:
        return [(f"{k:g}", sum(1 for s, _ in values if s == k)) for k in range(int(top) + 1)]
    width = top / 10
    bins = []
    for k in range(10):
        low, high = k * width, (k + 1) * width
        count = sum(1 for s, _ in values if low <= s < high or (k == 9 and s == high))
        bins.append((f"{low:g} to {'' if k == 9 else 'under '}{high:g}", count))
    return bins


def learner_rows(report: ClassReport) -> tuple[list[str], list[list[Any]]]:
    exercises = [e.exercise for e in report.exercises]
    header = ["student_id", "status", "score", "max_score", "submitted at", "late by"]
    header += [*exercises, "problems"]
    rows = []
    for student in report.class_list:
        record = report.learners.get(student)
        if student in report.not_marked_yet:
            rows.append(
                [student, "handed in, not marked yet", "", "", "", "", *[""] * len(exercises), ""]
            )
            continue
        if record is None or record.status == NOT_SUBMITTED:
            rows.append([student, NOT_SUBMITTED, "", "", "", "", *[""] * len(exercises), ""])
            continue
        score, top = report.scores.get(student, (None, None))
        outcomes = [record.exercises[e].outcome if e in record.exercises else "" for e in exercises]
        rows.append(
            [
                student,
                record.status,
                "" if score is None else f"{score:g}",
                "" if top is None else f"{top:g}",
                record.submitted_at or "",
                late_by_text(record.late_by_s),
                *outcomes,
                "; ".join(record.problems),
            ]
        )
    return header, rows


# ------------------------------------------------------------------------------------------
# The HTML page
# ------------------------------------------------------------------------------------------

# Okabe-Ito colours (safe for colour-blind readers); each outcome also has its own pattern,
# so colour is never the only signal.
_SEGMENT_CSS = {
    CORRECT: "background:#0072B2",
    NOT_YET: "background:repeating-linear-gradient(45deg,#D55E00 0 4px,#fff 4px 6px)",
    NOT_ATTEMPTED: "background:radial-gradient(circle,#fff 1.2px,#5F5F5F 1.6px) 0 0/6px 6px",
    MANUAL: "background:repeating-linear-gradient(90deg,#CC79A7 0 4px,#fff 4px 6px)",
}
_CSS_CLASS = {CORRECT: "ok", NOT_YET: "yet", NOT_ATTEMPTED: "none", MANUAL: "hand"}

_STYLE = (
    """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;
color:#1a1a1a;background:#fff;margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere}h2{font-size:1.3rem;margin-top:2rem}
.scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid #0072B2}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{list-style:none;padding:0;margin:.5rem 0}.chart li{margin:.4rem 0 .8rem}
.stack{display:flex;height:1.4rem;max-width:36rem;border:1px solid #1a1a1a}
.stack span{display:block;height:100%}
.bar{display:inline-block;height:.9rem;background:#0072B2;vertical-align:middle}
.key{list-style:none;padding:0}.key li{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:1rem;height:1rem;border:1px solid #1a1a1a;
vertical-align:middle}
td.wide{min-width:14rem}code{overflow-wrap:anywhere}
"""
    + "".join(f".{_CSS_CLASS[o]}{{{css}}}" for o, css in _SEGMENT_CSS.items())
    + "\n"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _outcome_words(summary: ExerciseSummary) -> str:
    return ", ".join(
        f"{summary.counts[o]} {_OUTCOME_WORDS[o]} ({summary.share(o):.0f}%)"
        for o in OUTCOMES
        if summary.counts[o]
    )


def _outcome_chart(report: ClassReport) -> str:
    """A stacked bar per exercise; each bar's text alternative gives its numbers."""
    if not report.exercises:
        return ""
    items = []
    for e in report.exercises:
        segments = "".join(
            f'<span class="{_CSS_CLASS[o]}" style="width:{e.share(o):.2f}%"></span>'
            for o in OUTCOMES
            if e.counts[o]
        )
        items.append(
            f"<li><strong>{_e(e.exercise)}</strong>"
            + (f": {_e(e.question)}" if e.question else "")
            + f'<div class="stack" role="img" aria-label="{_e(e.exercise)}: '
            f'{_e(_outcome_words(e))}">{segments}</div></li>'
        )
    key = "".join(
        f'<li><span class="swatch {_CSS_CLASS[o]}"></span> {_e(_OUTCOME_WORDS[o])}</li>'
        for o in OUTCOMES
    )
    return (
        f'<figure><ul class="chart">{"".join(items)}</ul>'
        f"<figcaption>Each bar is one exercise, split by outcome, out of the "
        f"{_plural(len(report.marked), 'marked submission')}; the table below gives the "
        f'numbers.</figcaption><ul class="key" aria-label="Key">{key}</ul></figure>'
    )


def _table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    numeric: Sequence[int] = (),
    wide: Sequence[int] = (),
) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{_e(row[0])}</th>']
        for i, value in enumerate(row[1:], start=1):
            css = ' class="n"' if i in numeric else ' class="wide"' if i in wide else ""
            cells.append(f"<td{css}>{_e(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return _scrolling_table(caption, head, "".join(body))


def _scrolling_table(caption: str, head: str, body: str) -> str:
    """A table in a region that scrolls sideways on a narrow screen (and by keyboard)."""
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{_e(caption)}">'
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _ids(students: Sequence[str]) -> str:
    return ", ".join(f"<code>{_e(s)}</code>" for s in students)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def page(report: ClassReport) -> str:
    parts = []
    handed = len(report.learners) - sum(
        1 for r in report.learners.values() if r.status == NOT_SUBMITTED
    )
    parts.append(
        f"<p>Class list: {_plural(len(report.class_list), 'learner')}. Handed in: {handed}. "
        f"Marked: {len(report.marked)}. Could not be marked: {len(report.could_not_be_marked)}. "
        f"Not handed in: {len(report.not_handed_in)}."
        + (f" Late: {len(report.late)}." if report.due else "")
        + " Learners are shown by their ids only.</p>"
    )
    revisit = report.revisit()
    parts.append('<h2 id="revisit">What to revisit</h2>')
    if revisit:
        parts.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in revisit) + "</ul>")
    else:
        parts.append("<p>Nothing stands out: no marked answer was wrong.</p>")
    if not report.misconceptions_recorded:
        parts.append(
            "<p>This marking record does not say which misconception each answer showed, so "
            "the outcomes below come from nbgrader's marks and no misconception is counted.</p>"
        )
    parts.append('<h2 id="exercises">How each exercise went</h2>')
    parts.append(
        f"<p>Shares are of the {_plural(len(report.marked), 'marked submission')}; learners "
        "who did not hand in are not counted.</p>"
    )
    parts.append(_outcome_chart(report))
    header = ["exercise", "marked", *(_OUTCOME_WORDS[o] for o in OUTCOMES)]
    rows = [
        [e.exercise, e.marked, *(f"{e.counts[o]} ({_pct(e.share(o))}%)" for o in OUTCOMES)]
        for e in report.exercises
    ]
    parts.append(
        _table(
            "Outcomes by exercise: learners (% of marked submissions)",
            header,
            rows,
            numeric=range(1, len(header)),
        )
    )
    parts.append('<h2 id="misconceptions">Misconceptions the checks named</h2>')
    header, rows = misconception_rows(report)
    if rows:
        parts.append(
            _table(
                "Misconceptions, most common first within each exercise",
                header,
                rows,
                numeric=[3],
                wide=[2, 4],
            )
        )
    else:
        parts.append("<p>No marked answer matched a named misconception.</p>")
    parts.append('<h2 id="scores">Scores</h2>')
    bins = score_bins(report)
    if bins:
        most = max(n for _, n in bins) or 1
        body = "".join(
            f'<tr><th scope="row">{_e(band)}</th><td class="n">{n}</td>'
            f'<td><span class="bar" style="width:{8 * n / most:.2f}rem"></span></td></tr>'
            for band, n in bins
        )
        parts.append(
            _scrolling_table(
                "Marked learners by score (automatic marks, plus any given by hand)",
                '<th scope="col">score</th><th scope="col">learners</th><th scope="col">chart</th>',
                body,
            )
        )
        if report.zero_scores:
            parts.append(
                f"<p>Handed in and scored 0 ({len(report.zero_scores)}): "
                f"{_ids(report.zero_scores)}.</p>"
            )
    else:
        parts.append("<p>No submission was marked.</p>")
    parts.append('<h2 id="lateness">Lateness</h2>')
    if report.due:
        parts.append(f"<p>Due: {_e(report.due)} ({_e(COURSE_TIME_ZONE)} time).</p>")
        if report.late:
            rows = [
                [
                    s,
                    report.learners[s].submitted_at or "",
                    late_by_text(report.learners[s].late_by_s),
                ]
                for s in report.late
            ]
            parts.append(
                _table("Handed in late, latest first", ["learner", "handed in", "late by"], rows)
            )
        else:
            parts.append("<p>Nobody handed in late.</p>")
    else:
        parts.append(
            "<p>This lesson has no due date (set one with <code>mhtrain course init DIR --due "
            "LESSON=DATE</code>).</p>"
        )
    parts.append('<h2 id="flagged">Submissions with problems</h2>')
    if report.flagged:
        rows = [
            [s, report.learners[s].status, "; ".join(report.learners[s].problems)]
            for s in report.flagged
        ]
        parts.append(
            _table("Submissions marking flagged", ["learner", "status", "problems"], rows, wide=[2])
        )
    else:
        parts.append("<p>No submission had a problem.</p>")
    parts.append('<h2 id="missing">Not handed in</h2>')
    if report.not_handed_in:
        parts.append(
            f"<p>{_plural(len(report.not_handed_in), 'learner')} on the class list handed "
            f"nothing in (not counted as 0): {_ids(report.not_handed_in)}.</p>"
        )
    else:
        parts.append("<p>Everyone on the class list handed in.</p>")
    if report.not_marked_yet:
        parts.append(
            f"<p>Handed in but not marked yet: {_ids(report.not_marked_yet)}. Run "
            "<code>mhtrain course grade</code> again to include them.</p>"
        )
    parts.append(
        "<p>The same figures are in the CSV files beside this page: exercises.csv, "
        "misconceptions.csv, scores.csv and learners.csv.</p>"
    )
    title = f"Class report: {report.lesson}"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_e(title)}</h1>\n" + "\n".join(parts) + "\n</main>\n</body>\n</html>\n"
    )
