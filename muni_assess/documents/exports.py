"""Tables as XLSX (one sheet per table, typed cells, frozen header) and CSV: functions returning bytes.

A `Table` is what a page shows: the regional pages render the same tables these functions write, and
`cell_text` is the one formatting rule for both, so a download always equals the page.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MARKING = "SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION"
FORMULA_START = ("=", "+", "-", "@")


@dataclass
class Table:
    """One table of a page: a sheet name, a caption, display columns, and notes that qualify it."""

    key: str
    title: str
    caption: str
    frame: pd.DataFrame
    row_header: str | None = None
    tier_pairs: tuple[tuple[str, str, str], ...] = ()  # (label, score column, tier column) shown as one cell
    notes: list[str] = field(default_factory=list)
    empty: str = "No data yet."
    row_ids: list = field(default_factory=list)  # town ids or region codes, for links on the page only

    @property
    def shown_columns(self) -> list[tuple[str, str | None]]:
        """(column, tier column or None) as the page shows them: a score and its tier share one cell."""
        tiers = {t for _, _, t in self.tier_pairs}
        paired = {s: t for _, s, t in self.tier_pairs}
        return [(c, paired.get(c)) for c in self.frame.columns if c not in tiers]


def is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_value(value: object) -> object:
    """A cell as a spreadsheet stores it: numbers as numbers, dates as dates, lists joined, blanks empty."""
    if is_blank(value):
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def cell_text(value: object) -> str:
    """A cell as the page prints it."""
    value = cell_value(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is stored as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(table.title[:31])
    ws.append(list(table.frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.frame.itertuples(index=False):
        ws.append([_safe(cell_value(v)) for v in row])
    for n, column in enumerate(table.frame.columns, start=1):
        width = max([len(str(column))] + [len(cell_text(v)) for v in table.frame.iloc[:200, n - 1]])
        ws.column_dimensions[get_column_letter(n)].width = min(60, max(10, width + 2))
        if table.frame[column].map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).any():
            for cell in ws[get_column_letter(n)][1:]:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2" if table.row_header else "A2"


def xlsx(title: str, about: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """A workbook: an "About" sheet (what, when, filters, notes, marking), then one sheet per table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "About"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([MARKING])
    for key, value in about:
        ws.append([key, value])
    for table in tables:
        for note in table.notes:
            ws.append([table.title, note])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    for table in tables:
        _sheet(wb, table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    """One table as UTF-8 CSV with a header row (blanks empty, lists joined, formula-like text neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(table.frame.columns))
    for row in table.frame.itertuples(index=False):
        writer.writerow(["" if (v := cell_value(x)) is None else _safe(v) for x in row])
    return out.getvalue().encode("utf-8")
