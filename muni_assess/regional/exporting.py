"""Turning a regional or statewide picture into a download (XLSX, CSV, PDF brief), shared by views and CLI."""
from __future__ import annotations

from muni_assess import audit as audit_trail
from muni_assess.documents import exports, regional_brief
from muni_assess.documents.pdfkit import today

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv", "pdf": "application/pdf"}
CSV_DEFAULT = {"region": "heatmap", "state": "regions"}


class ExportError(ValueError):
    """A format or table that does not exist; the message is safe to show."""


def check(fmt: str, table: str | None, scope: str) -> None:
    """Raise ExportError for a format or table name the export does not offer (before any work is done)."""
    if fmt not in MIMETYPES:
        raise ExportError(f"“{fmt[:20]}” is not an export format: choose xlsx, csv or pdf.")
    keys = REGION_KEYS if scope == "region" else STATE_KEYS
    if table and (fmt != "csv" or table not in keys):
        raise ExportError(f"“{table[:40]}” is not a table of this page: choose one of {', '.join(keys)} (CSV only).")


REGION_KEYS = ("completion", "heatmap", "distribution", "gaps", "opportunities", "change")
STATE_KEYS = ("regions", "distribution", "gaps", "opportunities", "change")


def _about(picture) -> list[tuple[str, str]]:
    filters = picture.filters
    return [("Cycle", str(picture.cycle)), ("Compared with", str(picture.previous)),
            ("Population band", filters.band or "All sizes"), ("Section", filters.section or "All sections"),
            ("Towns", str(picture.towns)), ("Submitted (assessed)", str(picture.assessed)),
            ("Small-numbers rule", f"No statistic over fewer than {picture.min_towns} assessed towns"),
            ("Question set versions", ", ".join(f"v{v}: {n} towns" for v, n in picture.versions.items()) or "—"),
            ("Generated", today().isoformat())]


def export(picture, fmt: str, table: str | None, name: str) -> tuple[bytes, str, str]:
    """(bytes, mimetype, file name) of the picture in one format; CSV is one table (the town × section table
    of a region, the region table of the state, unless `table` names another)."""
    check(fmt, table, picture.scope)
    base = f"{name.lower()}-{picture.cycle}"
    if fmt == "xlsx":
        data = exports.xlsx(picture.title, _about(picture), list(picture.tables.values()))
    elif fmt == "csv":
        key = table or CSV_DEFAULT[picture.scope]
        data, base = exports.csv_bytes(picture.tables[key]), f"{base}-{key}"
    else:
        data = regional_brief.brief_pdf(brief_input(picture))
        base += "-brief"
    return data, MIMETYPES[fmt], f"{base}.{fmt}"


def brief_input(picture) -> regional_brief.BriefInput:
    """The PDF brief's plain values, taken from the same tables the page shows."""
    return regional_brief.BriefInput(
        title=picture.title, scope=picture.scope, cycle=picture.cycle, previous=picture.previous,
        generated_on=today(), towns=picture.towns, counts=dict(picture.counts), assessed=picture.assessed,
        min_towns=picture.min_towns, shared_min=picture.shared_min, versions=dict(picture.versions),
        filters=[v for v in (picture.filters.band, picture.filters.section) if v], tables=dict(picture.tables))


def audit(fmt: str, picture, region=None) -> None:
    """Record the download in the audit trail (who took which region's numbers, in which format)."""
    audit_trail.record(f"export.{picture.scope}_{fmt}", region=region,
                       detail={"cycle": picture.cycle, "format": fmt})
