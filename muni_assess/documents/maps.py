"""State maps of towns shaded by a status, drawn on the server: SVG for pages, ReportLab graphics for PDFs.

Boundaries come from the shipped `reference/ct_towns.geojson` (Census 2020, simplified; see SOURCES.md). Every
status has a fill colour *and* a marker shape at the town's centre, and the legend shows both, so the map never
relies on colour alone; pages put a text table beside it. Attributes only (no inline style) for a strict CSP.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from functools import cache

from markupsafe import Markup, escape

from muni_assess.reference import HERE

INK = "#1b1b1b"
EDGE = "#565c65"
# status → (fill, marker, marker colour, legend label)
STYLES = {
    "connected": ("#97d4ea", "circle", "#1a4480", "Connected"),
    "selected": ("#70e17b", "triangle", "#154c21", "Selected for funding"),
    "candidate": ("#ffbe2e", "square", "#5c4809", "Candidate, not selected"),
    "unknown": ("#f0f0f0", "none", INK, "Status unknown"),
}
ORDER = ("connected", "selected", "candidate", "unknown")
WIDTH = 760.0


@cache
def _features(state: str) -> dict[str, list[list[tuple[float, float]]]]:
    """Town name → exterior rings (lon, lat)."""
    path = HERE / ("ct_towns.geojson" if state == "CT" else "ma_towns.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    towns: dict[str, list] = {}
    for feature in data["features"]:
        geom = feature["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        towns[feature["properties"]["town"]] = [[tuple(p) for p in poly[0]] for poly in polygons]
    return towns


@cache
def neighbours(state: str) -> dict[str, tuple[str, ...]]:
    """Towns that share a boundary (two or more common vertices: the file's edges are shared exactly)."""
    seen: dict[tuple[float, float], set[str]] = defaultdict(set)
    for town, rings in _features(state).items():
        for ring in rings:
            for lon, lat in ring:
                seen[(round(lon, 5), round(lat, 5))].add(town)
    pairs: Counter = Counter()
    for towns in seen.values():
        for a in towns:
            for b in towns:
                if a < b:
                    pairs[(a, b)] += 1
    out: dict[str, set[str]] = defaultdict(set)
    for (a, b), n in pairs.items():
        if n >= 2:
            out[a].add(b)
            out[b].add(a)
    return {t: tuple(sorted(out[t])) for t in _features(state)}


@cache
def _projection(state: str):
    points = [p for rings in _features(state).values() for ring in rings for p in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = WIDTH / ((lon1 - lon0) * kx)
    return lon0, lat1, kx, scale, (lat1 - lat0) * scale


def _xy(state: str, lon: float, lat: float) -> tuple[float, float]:
    lon0, lat1, kx, scale, _h = _projection(state)
    return (lon - lon0) * kx * scale, (lat1 - lat) * scale


def _centre(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a ring (the shoelace formula), falling back to the vertex mean."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a, cx, cy = a + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    if abs(a) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * a), cy / (3 * a)


def _area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


@cache
def _shapes(state: str) -> dict[str, tuple[list[list[tuple[float, float]]], tuple[float, float]]]:
    """Town → projected rings and the projected centre of its largest part."""
    out = {}
    for town, rings in _features(state).items():
        projected = [[_xy(state, lon, lat) for lon, lat in ring] for ring in rings]
        out[town] = (projected, _centre(max(projected, key=_area)))
    return out


def _marker_svg(kind: str, x: float, y: float, colour: str, r: float = 3.6) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - r * 1.2:.1f} {x + r * 1.1:.1f},{y + r * 0.8:.1f} '
                f'{x - r * 1.1:.1f},{y + r * 0.8:.1f}" fill="{colour}"/>')
    if kind == "square":
        return (f'<rect x="{x - r * 0.8:.1f}" y="{y - r * 0.8:.1f}" width="{r * 1.6:.1f}" height="{r * 1.6:.1f}" '
                f'fill="none" stroke="{colour}" stroke-width="1.6"/>')
    return ""


def _legend_svg(counts: Counter, top: float) -> list[str]:
    body = []
    for i, status in enumerate(ORDER):
        fill, marker, colour, label = STYLES[status]
        x = 10 + i * 190
        body += [f'<rect x="{x}" y="{top}" width="22" height="16" fill="{fill}" stroke="{EDGE}" stroke-width="0.8"/>',
                 _marker_svg(marker, x + 11, top + 8, colour),
                 f'<text x="{x + 28}" y="{top + 13}" font-size="13" fill="{INK}">{escape(label)} '
                 f'({counts.get(status, 0)})</text>']
    return body


def status_map_svg(statuses: dict[str, str], title: str, ident: str = "map", state: str = "CT") -> Markup:
    """The state's towns shaded and marked by status, with a legend; `ident` keeps ids unique on a page."""
    _l, _t, _k, _s, height = _projection(state)
    body = []
    for town, (rings, (cx, cy)) in sorted(_shapes(state).items()):
        status = statuses.get(town, "unknown")
        fill, marker, colour, label = STYLES[status]
        d = " ".join("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z" for ring in rings)
        body.append(f'<g><title>{escape(town)}: {escape(label)}</title>'
                    f'<path d="{d}" fill="{fill}" stroke="{EDGE}" stroke-width="0.5"/>'
                    f'{_marker_svg(marker, cx, cy, colour)}</g>')
    counts = Counter(statuses.get(t, "unknown") for t in _shapes(state))
    body += _legend_svg(counts, height + 14)
    desc = "; ".join(f"{STYLES[s][3]}: {counts.get(s, 0)} towns" for s in ORDER)
    desc += ". Each status has its own colour and marker shape; the table after the map lists every town."
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {WIDTH + 8:.0f} {height + 44:.0f}" width="100%" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" class="ma-chart ma-map">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _marker_pdf(canv, kind: str, x: float, y: float, colour: str, r: float) -> None:
    from reportlab.lib import colors

    canv.setFillColor(colors.HexColor(colour))
    canv.setStrokeColor(colors.HexColor(colour))
    if kind == "circle":
        canv.circle(x, y, r, stroke=0, fill=1)
    elif kind == "triangle":
        path = canv.beginPath()
        path.moveTo(x, y + r * 1.2)
        path.lineTo(x + r * 1.1, y - r * 0.8)
        path.lineTo(x - r * 1.1, y - r * 0.8)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)
    elif kind == "square":
        canv.setLineWidth(1)
        canv.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6, stroke=1, fill=0)


def status_map_drawing(statuses: dict[str, str], width: float = 460, state: str = "CT"):
    """The same map for PDFs: a flowable drawing the polygons, markers and legend on the canvas directly
    (ReportLab's Drawing renderer would switch to its default Helvetica, which is not embedded)."""
    from reportlab.lib import colors
    from reportlab.platypus import Flowable

    _l, _t, _k, _s, height = _projection(state)
    k, legend_h = width / WIDTH, 34
    counts = Counter(statuses.get(t, "unknown") for t in _shapes(state))

    class StatusMap(Flowable):
        def wrap(self, _aw, _ah):
            return width, height * k + legend_h

        def draw(self):
            canv = self.canv
            canv.setLineWidth(0.3)
            for town, (rings, (cx, cy)) in sorted(_shapes(state).items()):
                fill, marker, colour, _label = STYLES[statuses.get(town, "unknown")]
                canv.setFillColor(colors.HexColor(fill))
                canv.setStrokeColor(colors.HexColor(EDGE))
                canv.setLineWidth(0.3)
                for ring in rings:
                    path = canv.beginPath()
                    for i, (x, y) in enumerate(ring):
                        (path.lineTo if i else path.moveTo)(x * k, (height - y) * k + legend_h)
                    path.close()
                    canv.drawPath(path, stroke=1, fill=1)
                _marker_pdf(canv, marker, cx * k, (height - cy) * k + legend_h, colour, 2.2)
            for i, status in enumerate(ORDER):
                fill, marker, colour, label = STYLES[status]
                x, y = (i % 2) * width / 2, 18 - (i // 2) * 16
                canv.setFillColor(colors.HexColor(fill))
                canv.setStrokeColor(colors.HexColor(EDGE))
                canv.setLineWidth(0.5)
                canv.rect(x, y, 16, 11, stroke=1, fill=1)
                _marker_pdf(canv, marker, x + 8, y + 5.5, colour, 2.4)
                canv.setFillColor(colors.HexColor(INK))
                canv.setFont("Vera", 8)
                canv.drawString(x + 21, y + 2, f"{label} ({counts.get(status, 0)})")

    return StatusMap()
