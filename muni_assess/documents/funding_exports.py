"""Funding scenario tables as CSV and XLSX bytes: one row per candidate, then the scenario's settings."""
from __future__ import annotations

import csv
import io

from scoring.funding import FACILITIES, FACTOR_LABELS, FACTORS, Result

COLUMNS = ["town", "facility", "status", "cost", "cost_source", *FACTORS, "priority", "selected",
           "enters_with_10pct_more"]


def candidate_rows(result: Result) -> list[dict]:
    """One row per candidate, highest priority first; candidates with no cost estimate last, never selected."""
    entering = {s.candidate.key for s in result.next_in}
    rows = []
    for s in sorted(result.scored, key=lambda s: (-s.priority, s.candidate.key)):
        c = s.candidate
        rows.append({"town": c.town, "facility": FACILITIES[c.facility], "status": c.status, "cost": c.cost,
                     "cost_source": c.cost_source, **{f: round(c.factors[f], 3) for f in FACTORS},
                     "priority": s.priority, "selected": int(s.selected),
                     "enters_with_10pct_more": int(c.key in entering)})
    for c in result.candidates.uncosted:
        rows.append({"town": c.town, "facility": FACILITIES[c.facility], "status": c.status, "cost": None,
                     "cost_source": "no estimate: set a cost default", **{f: round(c.factors[f], 3) for f in FACTORS},
                     "priority": None, "selected": 0, "enters_with_10pct_more": 0})
    return rows


def settings_rows(name: str, result: Result) -> list[tuple[str, object]]:
    """The scenario's budget, weights and totals, for the second sheet (and the end of the CSV)."""
    sel = result.selection
    return [("scenario", name), ("budget", sel.budget), ("selected", len(result.selected)),
            ("total_cost", sel.total_cost), ("money_left", sel.left), ("total_priority", sel.total_priority),
            ("cost_unit", sel.unit),
            *((f"weight_{f}", result.weights[f]) for f in FACTORS),
            ("status_unknown_excluded", len(result.candidates.excluded_unknown))]


def candidates_csv(result: Result) -> bytes:
    """CSV (UTF-8) of every candidate; spreadsheet-safe (no cell starts with = + - @)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in candidate_rows(result):
        writer.writerow({k: _safe(v) for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _safe(value):
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def scenario_xlsx(name: str, result: Result) -> bytes:
    """A workbook: "Candidates" (one row per candidate) and "Scenario" (budget, weights, totals)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Candidates"
    ws.append(COLUMNS)
    for row in candidate_rows(result):
        ws.append([_safe(row[c]) for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    info = wb.create_sheet("Scenario")
    info.append(["setting", "value"])
    for key, value in settings_rows(name, result):
        info.append([key, _safe(value)])
    info.append([])
    info.append(["factor", "meaning"])
    for f in FACTORS:
        info.append([f, FACTOR_LABELS[f]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
