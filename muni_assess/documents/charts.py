"""Charts as SVG markup drawn on the server: section scores and the tier ladder.

Every chart has a <title> and <desc>, shows its values as text (never colour alone), and has a table beside it
in the page for screen readers. Attributes only, no inline style, so the Content-Security-Policy stays strict.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from scoring.engine import TIER_LABELS, AssessmentResult, SectionResult

INK = "#1b1b1b"
BAR = "#005ea2"
TRACK = "#dfe1e2"
REACHED = "#216e1f"
TIER_ORDER = ("none", "good", "better", "best")


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" class="ma-chart">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def section_scores_svg(result: AssessmentResult) -> Markup:
    """Horizontal bars, one per section, with the score and tier written at the end of each bar."""
    row, label_w, bar_w = 34, 230, 300
    height = row * len(result.sections) + 30
    body = []
    for i, s in enumerate(result.sections):
        y = 10 + i * row
        w = bar_w * s.score / 100
        body += [
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="14" fill="{INK}">'
            f'{escape(s.section.title)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="20" fill="{TRACK}"/>',
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="20" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="14" fill="{INK}">'
            f'{s.score:.0f} · {escape(s.tier_label)}</text>',
        ]
    for tick in (0, 50, 100):
        x = label_w + bar_w * tick / 100
        body.append(f'<text x="{x}" y="{height - 4}" text-anchor="middle" font-size="11" fill="{INK}">{tick}</text>')
    desc = "; ".join(f"{s.section.title}: score {s.score:.0f} of 100, tier {s.tier_label}" for s in result.sections)
    return _svg(label_w + bar_w + 110, height, "Section scores (0 to 100) and tiers", desc, body, "scores")


def tier_ladder_svg(section: SectionResult) -> Markup:
    """The None → Good → Better → Best ladder with the rung reached filled and marked in words."""
    step_w, gap = 120, 8
    reached = TIER_ORDER.index(section.tier)
    body = []
    for i, name in enumerate(TIER_ORDER):
        x = i * (step_w + gap)
        filled = 0 < i <= reached
        body += [
            f'<rect x="{x}" y="{60 - 14 * i}" width="{step_w}" height="{20 + 14 * i}" '
            f'fill="{REACHED if filled else TRACK}" stroke="{INK}" stroke-width="1"/>',
            f'<text x="{x + step_w / 2}" y="{75}" text-anchor="middle" font-size="14" '
            f'fill="{"#ffffff" if filled else INK}" font-weight="{"bold" if i == reached else "normal"}">'
            f'{escape(TIER_LABELS[name])}{" ✓" if filled else ""}</text>',
        ]
        if i == reached:
            body.append(f'<text x="{x + step_w / 2}" y="{52 - 14 * i}" text-anchor="middle" font-size="12" '
                        f'fill="{INK}">You are here</text>')
    nxt = section.next_tier
    desc = (f"{section.section.title}: tier reached {section.tier_label}"
            + (f"; next tier {TIER_LABELS[nxt.name]}" if nxt else "; highest tier reached"))
    return _svg(4 * step_w + 3 * gap, 84, f"{section.section.title} tier ladder", desc, body,
                f"ladder-{section.section.id}")


def section_scores_drawing(result: AssessmentResult, width: float = 460):
    """The section-score bars as ReportLab graphics for PDFs: same layout and text as the SVG."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    row, label_w = 22, 170
    bar_w = width - label_w - 80
    height = row * len(result.sections) + 16
    drawing = Drawing(width, height)
    drawing.initialFontName = "Vera"  # the renderer otherwise starts from Helvetica, which is not embedded
    for i, s in enumerate(result.sections):
        y = height - (i + 1) * row
        drawing.add(String(label_w - 6, y + 5, s.section.title, fontName="Vera", fontSize=8.5, textAnchor="end"))
        drawing.add(Rect(label_w, y + 2, bar_w, 13, fillColor=colors.HexColor(TRACK), strokeColor=None))
        drawing.add(Rect(label_w, y + 2, bar_w * s.score / 100, 13, fillColor=colors.HexColor(BAR), strokeColor=None))
        drawing.add(String(label_w + bar_w + 6, y + 5, f"{s.score:.0f} · {s.tier_label}", fontName="Vera",
                           fontSize=8.5))
    return drawing
