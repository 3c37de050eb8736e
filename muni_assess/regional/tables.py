"""Display tables for the regional and statewide pages: `scoring.aggregate` results with readable columns.

The page, the XLSX/CSV exports and the PDF brief all show these tables, so they never disagree. No rules and
no queries here: only column names, rounding and the notes that qualify a number.
"""
from __future__ import annotations

import pandas as pd

from muni_assess.documents.exports import Table
from scoring import aggregate
from scoring.engine import TIER_LABELS

STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "submitted": "Submitted"}
TOP_PER_REGION = 3


def _int(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").round().astype("Int64")


def _one(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").round(1)


def _sections(picture) -> list[tuple[str, str]]:
    chosen = picture.filters.section
    return [(s, t) for s, t in picture.sections if not chosen or s == chosen]


def _suppressed_note(picture) -> str:
    return (f"Fewer than {picture.min_towns} assessed towns: statistics are not shown, so that no town's "
            "scores can be inferred.")


def completion_table(completion: pd.DataFrame, cycle: int, with_region: bool = False) -> Table:
    frame = pd.DataFrame({"Town": completion["town"]})
    if with_region:
        frame["Region"] = completion["region_code"]
    frame["Population"] = completion["population"].astype(int)
    frame["Population band"] = completion["band"].str.capitalize()
    frame["Status"] = completion["status"].map(STATUS_LABELS)
    frame["Answered (%)"] = _int(completion["percent_complete"])
    frame["Overall readiness"] = _int(completion["overall"])
    frame["Last activity"] = pd.to_datetime(completion["last_activity"]).dt.date.astype("object")
    frame["Question set version"] = completion["qs_version"].astype("Int64")
    frame = frame.where(frame.notna(), None)
    return Table("completion", "Completion", f"Every member town's {cycle} assessment: status, share of questions "
                 "answered, overall readiness (0-100) and last activity", frame, row_header="Town",
                 row_ids=completion["town_id"].tolist())


def heatmap_table(picture, rows: pd.DataFrame, completion: pd.DataFrame) -> Table:
    sections = _sections(picture)
    scores, tiers = aggregate.heatmap(rows, [s for s, _ in sections])
    info = completion.sort_values("town").set_index("town_id")
    scores, tiers = scores.reindex(info.index), tiers.reindex(info.index)
    submitted = (info["status"] == "submitted").to_numpy()
    frame = pd.DataFrame({"Town": info["town"].to_numpy(), "Population band": info["band"].str.capitalize().to_numpy(),
                          "Status": info["status"].map(STATUS_LABELS).to_numpy(),
                          "Overall readiness": _int(info["overall"]).where(submitted).to_numpy()})
    pairs = []
    for sid, title in sections:
        frame[f"{title} score"] = _int(scores[sid]).to_numpy()
        frame[f"{title} tier"] = tiers[sid].map(TIER_LABELS).to_numpy()
        pairs.append((title, f"{title} score", f"{title} tier"))
    frame = frame.astype(object).where(frame.notna(), None)
    notes = []
    in_progress = picture.counts.get("in_progress", 0)
    if in_progress:
        notes.append(f"Scores of the {in_progress} town(s) still in progress are left blank until they submit: "
                     "partial answers would understate them.")
    return Table("heatmap", "Heatmap", f"Section scores (0-100) and tiers of every member town that submitted its "
                 f"{picture.cycle} assessment (one row per town)", frame, row_header="Town", tier_pairs=tuple(pairs),
                 notes=notes, row_ids=list(info.index),
                 empty=f"No town has submitted its {picture.cycle} assessment yet.")


def distribution_table(picture, rows: pd.DataFrame) -> Table:
    sections = _sections(picture)
    stats = aggregate.distribution(rows, [s for s, _ in sections], picture.min_towns)
    titles = dict(sections)
    frame = pd.DataFrame({"Section": stats["section"].map(titles), "Towns": stats["towns"].astype(int),
                          "Lowest": _one(stats["low"]), "Lower quartile": _one(stats["q1"]),
                          "Median": _one(stats["median"]), "Upper quartile": _one(stats["q3"]),
                          "Highest": _one(stats["high"])})
    frame["Note"] = ["Too few towns to show" if s else None for s in stats["suppressed"]]
    frame = frame.astype(object).where(frame.notna(), None)
    notes = [_suppressed_note(picture)] if stats["suppressed"].any() else []
    return Table("distribution", "Distribution", f"How each section's {picture.cycle} score is spread across the "
                 "submitted towns: lowest, quartiles (25%, 50%, 75%) and highest", frame, row_header="Section",
                 notes=notes)


def gaps_table(picture, rows: pd.DataFrame, titles: dict[str, str], with_names: bool = True,
               gaps: pd.DataFrame | None = None) -> Table:
    if gaps is None:
        gaps = aggregate.common_gaps(rows, titles, picture.filters.section, names=with_names)
    frame = pd.DataFrame({"Recommendation": gaps["title"], "Towns needing it": gaps["towns"].astype(int),
                          "Share of submitted towns (%)": _int(100 * gaps["share"].astype(float))})
    if with_names:
        frame["Towns"] = gaps["town_names"]
    frame = frame.astype(object).where(frame.notna(), None)
    return Table("gaps", "Common gaps", "Each recommendation the towns' roadmaps call for, by how many towns "
                 "need it", frame, row_header="Recommendation",
                 empty="No common gaps: no submitted town's roadmap calls for anything yet.")


def _money(frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    frame["One-time cost, low ($)"] = source["one_time_low"].astype(int)
    frame["One-time cost, high ($)"] = source["one_time_high"].astype(int)
    frame["Yearly cost, low ($)"] = source["yearly_low"].astype(int)
    frame["Yearly cost, high ($)"] = source["yearly_high"].astype(int)
    return frame


def opportunities_table(picture, rows: pd.DataFrame, costs: pd.DataFrame, titles: dict[str, str],
                        needs: pd.DataFrame | None = None) -> Table:
    shared = aggregate.shared_services(rows, costs, titles, picture.shared_min, section=picture.filters.section,
                                       needs=needs)
    frame = pd.DataFrame({"Recommendation": shared["title"], "Towns": shared["towns"].astype(int)})
    frame = _money(frame, shared)
    frame["Towns involved"] = shared["town_names"]
    frame = frame.astype(object).where(frame.notna(), None)
    return Table("opportunities", "Shared services", f"Recommendations needed by at least {picture.shared_min} towns: "
                 "candidates for one regional purchase; costs add each town's range for its size", frame,
                 row_header="Recommendation",
                 empty=f"No recommendation is needed by {picture.shared_min} or more submitted towns.")


def change_table(picture, frame: pd.DataFrame) -> Table:
    sections = _sections(picture)
    changes = aggregate.change(frame, picture.cycle, picture.previous)
    wide = changes.pivot_table(index="town", columns="section", values="delta", aggfunc="first")
    out = pd.DataFrame({"Town": wide.index.to_numpy()})
    for sid, title in sections:
        column = wide[sid] if sid in wide.columns else pd.Series(float("nan"), index=wide.index)
        out[f"{title} change"] = _int(column).to_numpy()
    versions = changes.groupby("town")["version_changed"].any().reindex(wide.index)
    out["Note"] = ["Question set changed between cycles" if v else None for v in versions.to_numpy()]
    out = out.astype(object).where(out.notna(), None)
    return Table("change", "Change", f"Change in each section's score from {picture.previous} to {picture.cycle}, "
                 "for towns that submitted both years (positive: improved)", out, row_header="Town",
                 empty=f"No town submitted both its {picture.previous} and {picture.cycle} assessments.")


def region_tables(picture, frame, rows, completion, costs, titles) -> dict[str, Table]:
    """Every table of the regional dashboard, in page order."""
    needs = aggregate.exploded_needs(rows, picture.filters.section)  # shared by the gaps and opportunities
    tables = [completion_table(completion, picture.cycle), heatmap_table(picture, rows, completion),
              distribution_table(picture, rows),
              gaps_table(picture, rows, titles, gaps=aggregate.common_gaps(rows, titles, needs=needs)),
              opportunities_table(picture, rows, costs, titles, needs), change_table(picture, frame)]
    return {t.key: t for t in tables}


def regions_table(picture, rows: pd.DataFrame, completion: pd.DataFrame) -> Table:
    sections = _sections(picture)
    counts = aggregate.status_counts(completion, by="region_code").set_index("region_code")
    names = completion.drop_duplicates("region_code").set_index("region_code")["region"]
    stats = aggregate.region_heatmap(rows, [s for s, _ in sections], picture.min_towns)
    medians = stats.pivot_table(index="region_code", columns="section", values="median", aggfunc="first")
    overall = rows.drop_duplicates("town_id").groupby("region_code")["overall"].median()
    assessed = rows.groupby("region_code")["town_id"].nunique().reindex(counts.index).fillna(0).astype(int)
    frame = pd.DataFrame({"Region": names.reindex(counts.index).to_numpy(), "Code": counts.index.to_numpy(),
                          "Towns": counts["towns"].to_numpy(), "Not started": counts["not_started"].to_numpy(),
                          "In progress": counts["in_progress"].to_numpy(),
                          "Submitted": counts["submitted"].to_numpy()})
    small = (assessed < picture.min_towns).to_numpy()
    frame["Median overall readiness"] = _one(overall.reindex(counts.index)).where(~small).to_numpy()
    for sid, title in sections:
        column = medians[sid] if sid in medians.columns else pd.Series(float("nan"), index=medians.index)
        frame[f"{title} median"] = _one(column.reindex(counts.index)).where(~small).to_numpy()
    frame["Note"] = [("No town has submitted yet" if n == 0 else "Too few submitted towns to show") if s else None
                     for s, n in zip(small, assessed.to_numpy(), strict=True)]
    frame = frame.sort_values("Region").astype(object)
    frame = frame.where(frame.notna(), None).reset_index(drop=True)
    notes = [_suppressed_note(picture)] if small.any() else []
    return Table("regions", "Regions", f"Every region's {picture.cycle} completion and median section scores "
                 "(0-100) of its submitted towns", frame, row_header="Region", notes=notes,
                 row_ids=frame["Code"].tolist())


def state_gaps_table(picture, rows: pd.DataFrame, titles: dict[str, str], needs: pd.DataFrame) -> Table:
    gaps = aggregate.common_gaps(rows, titles, names=False, needs=needs)
    table = gaps_table(picture, rows, titles, with_names=False, gaps=gaps)
    regions = needs.groupby("rec_id")["region_code"].nunique()
    table.frame["Regions with the need"] = regions.reindex(gaps["rec_id"]).fillna(0).astype(int).to_numpy()
    return table


def state_opportunities_table(picture, rows, costs, titles, needs: pd.DataFrame) -> Table:
    shared = aggregate.shared_services(rows, costs, titles, picture.shared_min, by="region_code", names=False,
                                       needs=needs)
    shared = shared.groupby("region_code", sort=True).head(TOP_PER_REGION)
    frame = pd.DataFrame({"Region": shared["region_code"], "Recommendation": shared["title"],
                          "Towns": shared["towns"].astype(int)})
    frame = _money(frame, shared).astype(object).reset_index(drop=True)
    return Table("opportunities", "Shared services", f"Each region's {TOP_PER_REGION} largest shared-service "
                 f"opportunities (needed by at least {picture.shared_min} of its towns); drill down for all",
                 frame, row_header="Region", empty="No region has a need shared by enough towns yet.")


def state_change_table(picture, frame: pd.DataFrame) -> Table:
    sections = _sections(picture)
    changes = aggregate.change(frame, picture.cycle, picture.previous)
    stats = aggregate.change_summary(changes, [s for s, _ in sections], picture.min_towns, by="region_code")
    towns = changes.groupby("region_code")["town_id"].nunique()
    wide = stats.pivot_table(index="region_code", columns="section", values="median_delta", aggfunc="first")
    out = pd.DataFrame({"Region": towns.index.to_numpy(), "Towns in both cycles": towns.astype(int).to_numpy()})
    small = (towns < picture.min_towns).to_numpy()
    for sid, title in sections:
        column = wide[sid] if sid in wide.columns else pd.Series(float("nan"), index=wide.index)
        out[f"{title} median change"] = _one(column.reindex(towns.index)).where(~small).to_numpy()
    out = out.astype(object).where(out.notna(), None)
    return Table("change", "Change", f"Median change in each section's score from {picture.previous} to "
                 f"{picture.cycle}, per region, over towns that submitted both years", out, row_header="Region",
                 empty=f"No town submitted both its {picture.previous} and {picture.cycle} assessments.")


def state_tables(picture, frame, rows, completion, costs, titles) -> dict[str, Table]:
    """Every table of the statewide view, in page order."""
    needs = aggregate.exploded_needs(rows, picture.filters.section)  # shared by the gaps and opportunities
    tables = [regions_table(picture, rows, completion), distribution_table(picture, rows),
              state_gaps_table(picture, rows, titles, needs), state_opportunities_table(picture, rows, costs, titles,
                                                                                        needs),
              state_change_table(picture, frame)]
    return {t.key: t for t in tables}
