"""The regional (or statewide) PDF brief for a board meeting: summary, heatmap, shared services, common gaps.

Pure: takes plain values (the same display tables the page shows) and returns bytes; no database access.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import PageBreak, Spacer, TableStyle

from muni_assess.documents.exports import Table, cell_text, cell_value
from muni_assess.documents.pdfkit import DocInfo, Para, build_pdf, heading_over_table, money, styles, table

WIDTH = 6.9 * inch
TIER_FILL = {"None": colors.HexColor("#f8dfe2"), "Good": colors.HexColor("#fef0c8"),
             "Better": colors.HexColor("#d9f3df"), "Best": colors.HexColor("#b4e1c6")}
TOP_GAPS = 15
TOP_OPPORTUNITIES = 10


@dataclass(frozen=True)
class BriefInput:
    """Everything the brief shows, as plain values."""

    title: str
    scope: str
    cycle: int
    previous: int
    generated_on: dt.date
    towns: int
    counts: dict
    assessed: int
    min_towns: int
    shared_min: int
    versions: dict
    filters: list
    tables: dict


def _p(text: str, style) -> Para:
    return Para(escape(str(text)), style)


def _cover(d: BriefInput, st) -> list:
    what = "Regional" if d.scope == "region" else "Statewide"
    return [
        Spacer(1, 1.2 * inch), Para(f"{what} IT readiness brief", st["Title"]), _p(d.title, st["Subtitle"]),
        _p(f"{d.cycle} assessments, compared with {d.previous}. Prepared {d.generated_on:%B %-d, %Y}.", st["Body"]),
        _p(f"Filtered to: {', '.join(d.filters)}." if d.filters else "All towns and sections.", st["Body"]),
        Spacer(1, 0.3 * inch),
        Para("SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION. This brief describes weaknesses in member towns' "
             "information technology. Share it only with the board members and staff who need it.", st["Marking"]),
        _p("Costs are planning estimates summed over each town's size band, not quotes. Statistics over fewer than "
           f"{d.min_towns} submitted towns are not shown.", st["Small"]),
    ]


def _headline(d: BriefInput) -> list[str]:
    c = d.counts
    lines = [f"{c.get('submitted', 0)} of {d.towns} towns submitted their {d.cycle} assessment; "
             f"{c.get('in_progress', 0)} are in progress and {c.get('not_started', 0)} have not started."]
    shared = d.tables["opportunities"].frame
    if len(shared):
        top = shared.iloc[0]
        once = money(top["One-time cost, low ($)"], top["One-time cost, high ($)"])
        lines.append(f"{len(shared)} shared-service opportunities. The largest: {top['Recommendation']} "
                     f"({top['Towns']} towns; one-time {once} combined).")
    gaps = d.tables["gaps"].frame
    if len(gaps):
        top = gaps.iloc[0]
        lines.append(f"Most common gap: {top['Recommendation']}, needed by {top['Towns needing it']} towns "
                     f"({top['Share of submitted towns (%)']}% of those submitted).")
    if len(d.versions) > 1:
        lines.append("Towns answered different question-set versions (" +
                     ", ".join(f"v{v}: {n}" for v, n in d.versions.items()) + "): compare sections with care.")
    return lines


def _summary(d: BriefInput, st) -> list:
    out = [PageBreak(), Para("Summary", st["H1"])]
    if not d.assessed:
        return out + [_p(f"No data yet: no town has submitted its {d.cycle} assessment.", st["Body"])]
    out += [_p(line, st["Body"]) for line in _headline(d)]
    if d.assessed < d.min_towns:
        out.append(_p(f"Only {d.assessed} towns have submitted: region-wide statistics are withheld until "
                      f"{d.min_towns} have.", st["Body"]))
    return out


def _cell(table_: Table, row, column: str, tier_col: str | None, st) -> Para:
    text = cell_text(row[column])
    if tier_col and cell_value(row[tier_col]) is not None:
        text = f"{text} {row[tier_col]}"
    return _p(text, st["Cell"])


def _grid(t: Table, st, widths: list[float], max_rows: int | None = None) -> list:
    """A display table as a PDF table; score+tier pairs share one cell, shaded by tier with the tier as text."""
    shown = t.shown_columns
    head = [_p(c.removesuffix(" score"), st["GridHead"]) for c, _ in shown]
    frame = t.frame if max_rows is None else t.frame.head(max_rows)
    rows = [head] + [[_cell(t, r, c, tier, st) for c, tier in shown] for _, r in frame.iterrows()]
    out = table(rows, widths)
    shading = []
    for i, (_, r) in enumerate(frame.iterrows(), start=1):
        for j, (_c, tier) in enumerate(shown):
            fill = TIER_FILL.get(r[tier]) if tier else None
            if fill is not None:
                shading.append(("BACKGROUND", (j, i), (j, i), fill))
    if shading:
        out.setStyle(TableStyle(shading))
    return [out]


def _section(t: Table, st, widths: list[float], heading: str, intro: str) -> list:
    out = heading_over_table(heading, st["H1"]) + [_p(intro, st["Body"])]
    out += [_p(n, st["Small"]) for n in t.notes]
    if t.frame.empty:
        return out + [_p(t.empty, st["Body"])]
    return out + _grid(t, st, widths) + [Spacer(1, 8)]


def _subset(t: Table, frame, drop: tuple[str, ...] = (), notes: list[str] | None = None) -> Table:
    """The same table narrowed for paper: fewer rows or columns, the page's notes unless told otherwise."""
    frame = frame.drop(columns=[c for c in drop if c in frame.columns]).reset_index(drop=True)
    return replace(t, frame=frame, notes=t.notes if notes is None else notes)


def _widths(t: Table, first: float, last: float = 0) -> list[float]:
    n = len(t.shown_columns) - 1 - bool(last)
    return [first] + [(WIDTH - first - last) / max(n, 1)] * n + ([last] if last else [])


def _main_table(d: BriefInput, st) -> list:
    t = d.tables
    if d.scope == "state":
        regions = _subset(t["regions"], t["regions"].frame, drop=("Region", "Note"))
        return _section(regions, st, _widths(regions, 0.9 * inch), "Regions side by side",
                        "Median section scores (0-100) of each region's submitted towns; blank where fewer than "
                        f"{d.min_towns} towns have submitted.")
    heat = t["heatmap"]
    done = heat.frame[heat.frame["Status"] == "Submitted"]
    waiting = heat.frame.loc[heat.frame["Status"] != "Submitted", "Town"].tolist()
    notes = [f"Not yet submitted ({len(waiting)}): {', '.join(waiting)}."] if waiting else []
    heat = _subset(heat, done, drop=("Population band", "Status"), notes=notes)
    return _section(heat, st, _widths(heat, 1.0 * inch), "Which towns need what",
                    "Each cell gives the section score out of 100 and the tier reached (None, Good, Better, Best); "
                    "the shading repeats the tier.")


def _opportunities(d: BriefInput, st) -> list:
    t = d.tables["opportunities"]
    frame = t.frame.head(TOP_OPPORTUNITIES).copy()
    frame["One-time (combined)"] = [money(lo, hi, " to ") for lo, hi in
                                    zip(frame["One-time cost, low ($)"], frame["One-time cost, high ($)"], strict=True)]
    frame["Yearly (combined)"] = [money(lo, hi, " to ") for lo, hi in
                                  zip(frame["Yearly cost, low ($)"], frame["Yearly cost, high ($)"], strict=True)]
    money_cols = ("One-time cost, low ($)", "One-time cost, high ($)", "Yearly cost, low ($)", "Yearly cost, high ($)")
    order = [c for c in frame.columns if c not in money_cols and c != "Towns involved"]
    order = order[:-2] + ["One-time (combined)", "Yearly (combined)"] + (
        ["Towns involved"] if "Towns involved" in frame.columns else [])
    more = len(t.frame) - len(frame)
    notes = [f"{more} more in the spreadsheet export."] if more > 0 else []
    table_ = _subset(t, frame[order], notes=notes)
    names = 2.2 * inch if "Towns involved" in frame.columns else 0
    return _section(table_, st, _widths(table_, 1.7 * inch, names), "What the towns could buy together",
                    t.caption + ".")


def _body(d: BriefInput, st) -> list:
    t = d.tables
    out = _summary(d, st) + _main_table(d, st) + _opportunities(d, st)
    gaps = _subset(t["gaps"], t["gaps"].frame.head(TOP_GAPS), drop=("Towns",))
    out += _section(gaps, st, _widths(gaps, 3.9 * inch), "Common gaps",
                    f"The {TOP_GAPS} recommendations most towns' roadmaps call for.")
    out += _section(t["distribution"], st, _widths(t["distribution"], 1.6 * inch),
                    "How the scores spread", t["distribution"].caption + ".")
    return out


def _short(title: str) -> str:
    """"Capitol Region Council of Governments (CRCOG)" → "CRCOG", so the running header fits beside the marking."""
    return title[title.rfind("(") + 1:-1] if title.endswith(")") and "(" in title else title


def brief_pdf(d: BriefInput) -> bytes:
    """The brief as PDF bytes."""
    st = styles()
    info = DocInfo(title=f"IT readiness brief: {d.title}, {d.cycle}", subject="Regional IT readiness",
                   author="muni_assess", header=f"{_short(d.title)} · {d.cycle} IT readiness brief")
    return build_pdf(info, _cover(d, st), _body(d, st))
