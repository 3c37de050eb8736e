"""The funding brief PDF: which towns and facilities a budget connects to the Nutmeg Network, and why."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import inch
from reportlab.platypus import Spacer

from muni_assess.documents.maps import status_map_drawing
from muni_assess.documents.pdfkit import DocInfo, Para, build_pdf, heading_over_table, styles, table
from scoring.funding import (
    FACILITIES,
    FACTOR_EXPLANATIONS,
    FACTOR_LABELS,
    FACTORS,
    WEIGHT_REASONS,
    Change,
    Result,
    Scored,
)

WIDTH = 6.9 * inch


@dataclass(frozen=True)
class BriefInput:
    """Everything the brief shows, as plain values (no database rows)."""

    name: str
    state: str
    generated_on: dt.date
    result: Result
    changes: list[Change]
    equity_source: str | None = None


def _p(text: str, style) -> Para:
    return Para(escape(text), style)


def _usd(amount: int | None) -> str:
    return "no estimate" if amount is None else f"${amount:,}"


def _cover(data: BriefInput, st) -> list:
    r, sel = data.result, data.result.selection
    verdict = (f"The budget covers every costed candidate (${sum(c.cost for c in r.candidates.costed):,} in all)."
               if r.covers_all else
               f"{len(r.selected)} of {len(r.scored)} costed candidates fit the budget.")
    return [
        Spacer(1, 0.5 * inch),
        Para("Nutmeg Network connection funding", st["Title"]),
        _p(f"Scenario: {data.name}", st["Subtitle"]),
        _p(f"Budget {_usd(sel.budget)} · selected {_usd(sel.total_cost)} · left {_usd(sel.left)} · total priority "
           f"{sel.total_priority:,.1f}. {verdict}", st["Body"]),
        _p(f"Prepared {data.generated_on:%B %-d, %Y} from towns' self-assessments and public records of "
           "connection grants. The map shows each town's status with a colour and a marker shape.", st["Small"]),
        status_map_drawing(dict(r.map_status), width=WIDTH, state=data.state),
        Para("SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION. The priorities rest on towns' answers about their "
             "own IT gaps. Share this brief only with the staff and officials who decide the funding.",
             st["Marking"]),
    ]


def _scored_table(rows: list[Scored], st) -> list:
    head = [Para(h, st["CellHead"]) for h in ("Town", "Facility", "Cost", "Cost from", "Priority", "Largest factor")]
    body = [head]
    for s in rows:
        top = max(FACTORS, key=lambda f: s.contributions[f])
        body.append([_p(s.candidate.town, st["Cell"]), _p(FACILITIES[s.candidate.facility], st["Cell"]),
                     _p(_usd(s.candidate.cost), st["Cell"]), _p(s.candidate.cost_source, st["Cell"]),
                     _p(f"{s.priority:.1f}", st["Cell"]),
                     _p(f"{FACTOR_LABELS[top]} ({s.contributions[top]:.1f})", st["Cell"])])
    return [table(body, [1.3 * inch, 1.35 * inch, 0.9 * inch, 1.0 * inch, 0.7 * inch, 1.65 * inch])]


def _selection(data: BriefInput, st) -> list:
    r = data.result
    out = [*heading_over_table("Selected for funding", st["H1"])]
    out += _scored_table(sorted(r.selected, key=lambda s: (-s.priority, s.candidate.key)), st) if r.selected else \
        [_p("Nothing fits the budget.", st["Body"])]
    out += heading_over_table("With 10% more budget", st["H2"])
    if r.next_in:
        out.append(_p(f"These would enter with {_usd(int(r.selection.budget * 1.1))}"
                      + (f"; {', '.join(s.candidate.label for s in r.next_out)} would leave." if r.next_out else "."),
                      st["Body"]))
        out += _scored_table(list(r.next_in), st)
    else:
        out.append(_p("Nothing more would enter with 10% more budget.", st["Body"]))
    return out


def _changes(data: BriefInput, st) -> list:
    out = [*heading_over_table("If a weight changes", st["H2"])]
    rows = [[Para(h, st["CellHead"]) for h in ("Weight", "From, to", "Would enter", "Would leave")]]
    for ch in data.changes:
        rows.append([_p(FACTOR_LABELS[ch.factor], st["Cell"]), _p(f"{ch.old:g} to {ch.new:g}", st["Cell"]),
                     _p(", ".join(ch.enters) or "no change", st["Cell"]),
                     _p(", ".join(ch.leaves) or "no change", st["Cell"])])
    return out + [table(rows, [1.2 * inch, 0.9 * inch, 2.4 * inch, 2.4 * inch])]


def _method(data: BriefInput, st) -> list:
    r = data.result
    out = [*heading_over_table("How priorities are set", st["H1"]),
           _p("Each candidate's priority (0-100) is the weighted mean of five factors scored 0 to 1. The selection "
              "is the exact set with the greatest total priority whose total cost fits the budget (costs rounded "
              f"up to ${r.selection.unit:,}, so the budget is never exceeded), not a ranking.", st["Body"])]
    rows = [[Para(h, st["CellHead"]) for h in ("Factor", "Weight", "How it is scored", "Why this weight")]]
    for f in FACTORS:
        rows.append([_p(FACTOR_LABELS[f], st["Cell"]), _p(f"{r.weights[f]:g}", st["Cell"]),
                     _p(FACTOR_EXPLANATIONS[f], st["Cell"]), _p(WEIGHT_REASONS[f], st["Cell"])])
    out.append(table(rows, [1.1 * inch, 0.6 * inch, 2.6 * inch, 2.6 * inch]))
    if data.equity_source:
        out.append(_p(f"Equity scores from the uploaded file {data.equity_source}.", st["Small"]))
    return out


def _sources(data: BriefInput, st) -> list:
    r = data.result
    known = sorted((s for s in r.candidates.statuses.values() if s.source_url), key=lambda s: s.town)
    out = [*heading_over_table("Status sources and gaps", st["H1"]),
           _p("A town's own assessment answer comes first. Otherwise a public record of a connection grant marks "
              "the town connected; no other town is assumed to be unconnected.", st["Body"])]
    if known:
        rows = [[Para(h, st["CellHead"]) for h in ("Town", "Basis", "Source")]]
        rows += [[_p(s.town, st["Cell"]), _p(s.basis, st["Cell"]), _p(s.source_url, st["Cell"])] for s in known]
        out.append(table(rows, [1.3 * inch, 2.0 * inch, 3.6 * inch]))
    if r.candidates.excluded_unknown:
        out.append(_p(f"Status unknown and not included ({len(r.candidates.excluded_unknown)} towns): "
                      + ", ".join(r.candidates.excluded_unknown) + ".", st["Small"]))
    if r.candidates.uncosted:
        out.append(_p("No cost estimate, so not considered: "
                      + ", ".join(c.label for c in r.candidates.uncosted) + ".", st["Small"]))
    return out


def _not_selected(data: BriefInput, st) -> list:
    rest = sorted((s for s in data.result.scored if not s.selected), key=lambda s: (-s.priority, s.candidate.key))
    if not rest:
        return []
    return [*heading_over_table("Candidates not selected", st["H1"]), *_scored_table(rest, st)]


def funding_brief_pdf(data: BriefInput) -> bytes:
    """The brief: cover with totals and map, selection, look-ahead, weight sensitivity, method, sources."""
    st = styles()
    info = DocInfo(title=f"Nutmeg Network connection funding: {data.name}",
                   subject="Nutmeg Network funding priorities under a budget", author="muni_assess",
                   header=f"Nutmeg Network funding · {data.name}", keywords="Nutmeg Network, funding, budget")
    body = _selection(data, st) + _changes(data, st) + _method(data, st) + _not_selected(data, st) \
        + _sources(data, st)
    return build_pdf(info, _cover(data, st), body)
