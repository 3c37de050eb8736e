"""The improvement roadmap as a PDF: the document a town IT director hands to the select board."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer

from muni_assess.documents.charts import section_scores_drawing
from muni_assess.documents.pdfkit import DocInfo, Para, build_pdf, heading_over_table, money, styles, table
from scoring.engine import TIER_LABELS, AssessmentResult, answer_label
from scoring.roadmap import PHASE_LABELS, PHASES, PlannedItem, Roadmap

WIDTH = 6.9 * inch


@dataclass(frozen=True)
class RoadmapInput:
    """Everything the roadmap PDF shows, as plain values (no database rows)."""

    town: str
    state: str
    region: str
    population: int
    cycle: int
    status: str
    generated_on: dt.date
    result: AssessmentResult
    roadmap: Roadmap
    notes: dict[str, str]
    backup_section_id: str = "backup"


def _p(text: str, style) -> Para:
    return Para(escape(text), style)


def _cover(data: RoadmapInput, st) -> list:
    r = data.result
    return [
        Spacer(1, 1.2 * inch),
        Para("IT improvement roadmap", st["Title"]),
        _p(f"{data.town}, {data.state}", st["Subtitle"]),
        _p(f"{data.cycle} assessment · {data.region} · population {data.population:,} (2020 Census)", st["Body"]),
        _p(f"Prepared {data.generated_on:%B %-d, %Y} from the town's self-assessment ({data.status}; "
           f"{r.answered_count} of {r.visible_count} questions answered).", st["Body"]),
        Spacer(1, 0.3 * inch),
        Para("SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION. This document describes weaknesses in the "
                  "town's information technology. Share it only with the officials and staff who need it, and "
                  "keep it out of public postings.", st["Marking"]),
        _p("Costs are planning estimates for a town of this size, not quotes. Grant programs change from year to "
           "year: check current terms with each program before applying.", st["Small"]),
    ]


def _summary(data: RoadmapInput, st) -> list:
    r, plan = data.result, data.roadmap
    good = sum(1 for s in r.sections if s.tier != "none")
    (now_once, now_yearly) = plan.totals("now")
    out = [PageBreak(), Para("Executive summary", st["H1"])]
    if plan.no_answers:
        out += [_p(f"{data.town} has not answered any questions yet, so there is no score. These are the first "
                   "steps every town should take; answer the assessment to get a plan fitted to the town.",
                   st["Body"])]
    else:
        out += [Para(f"Overall readiness: {r.overall:.0f} of 100", st["Big"]),
                _p(f"{good} of {len(r.sections)} areas reach at least the Good tier. The plan below lists "
                   f"{len(plan.items)} actions in three phases; {len(plan.quick_wins)} of them cost nothing but "
                   "staff time.", st["Body"])]
        if r.percent_complete < 100:
            out.append(_p(f"{r.visible_count - r.answered_count} questions are still unanswered; their gaps are "
                          "not yet in this plan.", st["Body"]))
    out.append(Para("The three most urgent actions", st["H2"]))
    for item in plan.most_urgent(3):
        out.append(_p(f"#{item.position} {item.rec.title}: {item.rec.summary}", st["Body"]))
    if not plan.items:
        out.append(_p("None: every answered area is at its strongest. Keep it there with yearly reviews.",
                      st["Body"]))
    out += [Para("What the Now phase costs", st["H2"]),
            _p(f"One-time {money(*now_once)}, then {money(*now_yearly)} a year, for "
               f"{len(plan.phase('now'))} actions in the next three months (estimates for a town of "
               f"{data.population:,} people).", st["Body"])]
    matches = plan.grant_matches()
    if matches:
        out += [Para("Who can help pay", st["H2"]),
                _p("; ".join(f"{program.name} ({_actions(len(items))})" for program, items in matches[:4]) + ".",
                   st["Body"])]
    return out


def _actions(count: int) -> str:
    return f"{count} action" if count == 1 else f"{count} actions"


def _cost_cell(item: PlannedItem) -> str:
    """Amounts on their own lines so a range never breaks inside a number."""
    if item.quick_win:
        return "No cost beyond staff time"
    return f"Once: {money(*item.one_time, sep=' to ')}<br/>Yearly: {money(*item.yearly, sep=' to ')}"


def _standing(data: RoadmapInput, st) -> list:
    r = data.result
    out = [PageBreak(), Para("Where the town stands", st["H1"])]
    if data.roadmap.no_answers:
        out.append(_p("There are no scores until the town answers. The table shows what each area's first tier, "
                      "Good, asks for.", st["Body"]))
    else:
        out += [_p("Each area's score is out of 100. Its tier is gated: Good, Better or Best is reached only when "
                   "every requirement of that tier and of the tiers below it is met.", st["Body"]),
                section_scores_drawing(r, WIDTH), Spacer(1, 6)]
    rows = [[_p(h, st["CellHead"]) for h in ("Area", "Score", "Tier", "Answered", "Next tier needs")]]
    for s in r.sections:
        nxt = s.next_tier
        needs = "; ".join(c.criterion.label for c in nxt.unmet) if nxt else "Best tier reached"
        rows.append([_p(s.section.title, st["Cell"]), _p(f"{s.score:.0f}", st["Cell"]), _p(s.tier_label, st["Cell"]),
                     _p(f"{s.answered_count} of {s.visible_count}", st["Cell"]), _p(needs, st["Cell"])])
    out.append(table(rows, [1.5 * inch, 0.55 * inch, 0.65 * inch, 0.8 * inch, 3.4 * inch]))
    out += _backup_ladder(data, st)
    return out


def _backup_ladder(data: RoadmapInput, st) -> list:
    backup = data.result.section(data.backup_section_id)
    if backup is None:
        return []
    rows = [[_p(h, st["CellHead"]) for h in ("Rung", "What it means", "Where the town is")]]
    for check in backup.tiers:
        mark = "Reached" if check.name in backup.reached else (
            "Next rung" if backup.next_tier and check.name == backup.next_tier.name else "")
        rows.append([_p(TIER_LABELS[check.name], st["CellHead"]), _p(check.description, st["Cell"]),
                     _p(mark, st["CellHead"] if mark else st["Cell"])])
    out = [CondPageBreak(2.5 * inch), Para("Backups on the good / better / best ladder", st["H2"]),
           _p(f"{data.town} is at: {backup.tier_label}.", st["Body"]),
           table(rows, [0.8 * inch, 4.6 * inch, 1.5 * inch])]
    if backup.next_tier:
        out.append(Para(f"To reach {TIER_LABELS[backup.next_tier.name]}", st["H3"]))
        out += [_p(f"• {c.criterion.label}", st["Body"]) for c in backup.next_tier.unmet]
    return out


def _needed_for(item: PlannedItem, plan: Roadmap) -> str:
    return ", ".join(f"#{plan.position_of(rid)}" for rid in item.needed_for)


def _item_row(item: PlannedItem, plan: Roadmap, st) -> list:
    what = f"<b>{escape(item.rec.title)}</b><br/>{escape(item.rec.summary)}"
    if item.planned_prerequisites:
        what += f"<br/><i>After: {', '.join(f'#{p}' for p in item.prerequisite_positions)}</i>"
    if item.needed_for and not item.triggered_by:
        what += f"<br/><i>Needed first for: {_needed_for(item, plan)}</i>"
    moves = "<br/>".join(escape(m.text) for m in item.moves) or "—"
    grants = "<br/>".join(escape(g.name) for g in item.grants) or "—"
    return [_p(str(item.position), st["Cell"]), Para(what, st["Cell"]),
            Para(_cost_cell(item), st["Cell"]), Para(moves, st["Cell"]),
            Para(grants, st["Cell"])]


def _plan(data: RoadmapInput, st) -> list:
    plan = data.roadmap
    out = [PageBreak(), Para("Action plan", st["H1"]),
           _p("Actions are ordered so that each comes after what it depends on, then by the most risk removed "
              "per dollar. Costs are for a town of this size.", st["Body"])]
    head = [_p(h, st["CellHead"]) for h in ("#", "What to do", "Cost", "Moves the town to", "Can be funded by")]
    for phase in PHASES:
        items = plan.phase(phase)
        once, yearly = plan.totals(phase)
        out += [Para(PHASE_LABELS[phase], st["H2"]),
                _p(f"{_actions(len(items))} · one-time {money(*once)} · yearly {money(*yearly)}", st["Small"])]
        if items:
            out.append(table([head] + [_item_row(i, plan, st) for i in items],
                             [0.3 * inch, 2.85 * inch, 1.2 * inch, 1.3 * inch, 1.25 * inch]))
        elif plan.no_answers:
            out.append(_p("Answer the assessment to plan this phase.", st["Body"]))
        else:
            out.append(_p("Nothing in this phase.", st["Body"]))
    return out


def _details(data: RoadmapInput, st) -> list:
    out = [PageBreak(), Para("How to do each action", st["H1"])]
    for item in data.roadmap.items:
        block = [Para(f"{item.position}. {escape(item.rec.title)}", st["H3"]),
                 _p(f"Why: {item.rec.why}", st["Body"])]
        block += [_p(f"{n}. {step}", st["Small"]) for n, step in enumerate(item.rec.steps, 1)]
        if item.triggered_by:
            block.append(_p("Because of: " + "; ".join(
                f"“{q.question.prompt}” — {q.answer_label}" for q in item.triggered_by), st["Small"]))
        elif item.needed_for:
            block.append(_p("In the plan because later actions depend on it: " + "; ".join(
                f"#{data.roadmap.position_of(rid)} {data.roadmap.item(rid).rec.title}" for rid in item.needed_for)
                + ".", st["Small"]))
        if item.rec.resources:
            block.append(_p("Free or shared help: " + "; ".join(
                f"{r.name} ({r.provider})" + (f" {r.url}" if r.url else "") for r in item.rec.resources),
                st["Small"]))
        out.append(KeepTogether(block))
    return out


def _quick_wins_and_grants(data: RoadmapInput, st) -> list:
    plan = data.roadmap
    out = [PageBreak(), Para("Quick wins", st["H1"])]
    if plan.quick_wins:
        out += [_p(f"#{i.position} {i.rec.title}", st["Body"]) for i in plan.quick_wins]
    else:
        out.append(_p("No action in this plan is free at the town's size.", st["Body"]))
    out.append(Para("Matching grant programs", st["H1"]))
    matches = plan.grant_matches()
    if not matches:
        return out + [_p("No program in the catalog funds the actions in this plan.", st["Body"])]
    rows = [[_p(h, st["CellHead"]) for h in ("Program", "Who runs it", "Actions it could fund")]]
    for program, items in matches:
        rows.append([Para(f"<b>{escape(program.name)}</b><br/>{escape(program.summary)}", st["Cell"]),
                     _p(program.agency, st["Cell"]),
                     _p(", ".join(f"#{i.position} {i.rec.title}" for i in items), st["Cell"])])
    out += [table(rows, [2.8 * inch, 1.7 * inch, 2.4 * inch]),
            _p("Award amounts, cost shares and windows change: check with each program.", st["Small"])]
    return out


def _appendix(data: RoadmapInput, st) -> list:
    out = [PageBreak(), Para("Appendix: every answer", st["H1"])]
    if data.roadmap.no_answers:
        return out + [_p("No answers have been recorded yet. The assessment asks about these areas: " + "; ".join(
            f"{s.section.title} ({s.visible_count} questions)" for s in data.result.sections) + ".", st["Body"])]
    for s in data.result.sections:
        rows = [[_p(h, st["CellHead"]) for h in ("Question", "Answer", "Note")]]
        for q in s.questions:
            rows.append([_p(q.question.prompt, st["Cell"]), _p(answer_label(q.question, q.value), st["Cell"]),
                         _p(data.notes.get(q.question.id, ""), st["Cell"])])
        out += heading_over_table(escape(s.section.title), st["H2"])
        out.append(table(rows, [3.1 * inch, 2.3 * inch, 1.5 * inch]))
    return out


def roadmap_pdf(data: RoadmapInput) -> bytes:
    """Render the roadmap PDF: cover, executive summary, standing, plan, details, quick wins, grants, appendix."""
    st = styles()
    info = DocInfo(title=f"IT improvement roadmap: {data.town}, {data.state}, {data.cycle}",
                   subject="Municipal IT self-assessment results and phased improvement plan",
                   author=f"Town of {data.town} (prepared with muni_assess)",
                   header=f"{data.town}, {data.state} · IT improvement roadmap · {data.cycle}",
                   keywords="IT assessment, cybersecurity, roadmap, security-sensitive")
    body = (_summary(data, st) + _standing(data, st) + _plan(data, st) + _details(data, st)
            + _quick_wins_and_grants(data, st) + _appendix(data, st))
    return build_pdf(info, _cover(data, st), body)
