"""Regional and statewide statistics: pure pandas functions over one tidy frame of section scores.

The frame (built by one query in `muni_assess.regional.scores`) has one row per town × cycle × section, plus
one row with no cycle for a town never assessed. Its columns are `FRAME_COLUMNS`; `needs` holds the
recommendation ids the town's roadmap plans for gaps in that section, separated by spaces.

Only submitted assessments feed aggregates: an assessment in progress has partial scores that would mislead.
Any aggregate over fewer than `min_towns` assessed towns is suppressed (NaN plus `suppressed=True`), the
state data plan's small-numbers rule applied to security data.
"""
from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

FRAME_COLUMNS = ("region_id", "region_code", "region", "town_id", "town", "population", "band", "cycle",
                 "status", "updated_at", "qs_version", "section", "score", "tier", "overall", "answered",
                 "visible", "needs")
STATUSES = ("not_started", "in_progress", "submitted")
QUARTILES = (0.25, 0.5, 0.75)
TOWN_COLUMNS = ["region_id", "region_code", "region", "town_id", "town", "population", "band"]


def empty_frame() -> pd.DataFrame:
    """A tidy frame with the right columns and no rows (a region or state with no towns)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FRAME_COLUMNS})


def bands_of(population: pd.Series, bands: list[tuple[str, int | None]]) -> pd.Series:
    """Each population's band id; `bands` is ordered small → large as (id, max), the last max None."""
    out = pd.Series(bands[-1][0], index=population.index, dtype="object")
    for band_id, top in reversed(bands[:-1]):
        out[population <= top] = band_id
    return out


def towns_of(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per town (whatever its assessments), sorted by region then town name."""
    towns = frame.drop_duplicates("town_id")[TOWN_COLUMNS]
    return towns.sort_values(["region", "town"]).reset_index(drop=True)


def submitted(frame: pd.DataFrame, cycle: int) -> pd.DataFrame:
    """The scored section rows of the assessments submitted for `cycle`: the only rows aggregates use."""
    rows = frame[(frame["cycle"] == cycle) & (frame["status"] == "submitted") & frame["section"].notna()]
    return rows.reset_index(drop=True)


def filter_band(frame: pd.DataFrame, band: str | None) -> pd.DataFrame:
    """Only the towns of one population band (all towns when band is None)."""
    return frame if not band else frame[frame["band"] == band].reset_index(drop=True)


def completion(frame: pd.DataFrame, cycle: int) -> pd.DataFrame:
    """Every town's status for the cycle: not started / in progress / submitted, last activity, % answered."""
    towns = towns_of(frame)
    rows = frame[frame["cycle"] == cycle]
    per = rows.groupby("town_id", sort=False).agg(
        status=("status", "first"), last_activity=("updated_at", "first"), qs_version=("qs_version", "first"),
        overall=("overall", "first"), answered=("answered", "sum"), visible=("visible", "sum"))
    out = towns.merge(per, how="left", left_on="town_id", right_index=True)
    out["status"] = out["status"].fillna("not_started")
    visible = pd.to_numeric(out["visible"], errors="coerce")
    answered = pd.to_numeric(out["answered"], errors="coerce")
    out["percent_complete"] = (100 * answered / visible.where(visible > 0)).round()
    out.loc[out["status"] == "not_started", ["percent_complete", "overall"]] = float("nan")
    return out.drop(columns=["answered", "visible"]).reset_index(drop=True)


def status_counts(completion_table: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """How many towns are not started / in progress / submitted (per `by` group when given)."""
    keys = [by] if by else []
    counts = (completion_table.groupby([*keys, "status"]).size().unstack("status") if by
              else completion_table["status"].value_counts().to_frame().T)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).fillna(0).astype(int)
    counts["towns"] = counts.sum(axis=1)
    return counts.reset_index() if by else counts.reset_index(drop=True)


def heatmap(rows: pd.DataFrame, sections: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Towns × sections: (scores, tiers), one row per submitted town sorted by name, columns in `sections`."""
    index = rows.drop_duplicates("town_id").sort_values("town")
    scores = rows.pivot_table(index="town_id", columns="section", values="score", aggfunc="first")
    tiers = rows.pivot_table(index="town_id", columns="section", values="tier", aggfunc="first")
    scores = scores.reindex(index=index["town_id"], columns=sections)
    tiers = tiers.reindex(index=index["town_id"], columns=sections)
    return scores, tiers


def suppress(stats: pd.DataFrame, min_towns: int, columns: tuple[str, ...] = ("q1", "median", "q3", "low",
                                                                              "high")) -> pd.DataFrame:
    """Blank every statistic of a group with fewer than `min_towns` towns and flag it `suppressed`."""
    out = stats.copy()
    out["suppressed"] = out["towns"] < min_towns
    present = [c for c in columns if c in out.columns]
    out.loc[out["suppressed"], present] = float("nan")
    return out


def distribution(rows: pd.DataFrame, sections: list[str], min_towns: int, by: str | None = None) -> pd.DataFrame:
    """Per section (and per `by` group): towns, lowest, quartiles (linear interpolation) and highest score.

    Vectorized: one grouped quantile, count, min and max, whatever the number of groups (a statewide view has
    regions x sections of them).
    """
    keys = [by, "section"] if by else ["section"]
    columns = [*keys, "towns", "q1", "median", "q3", "low", "high"]
    if rows.empty:
        stats = pd.DataFrame(columns=columns)
    else:
        scores = pd.to_numeric(rows["score"], errors="coerce")
        grouped = scores.groupby([rows[k] for k in keys], sort=True)
        quartiles = grouped.quantile(list(QUARTILES)).unstack()
        stats = pd.DataFrame({"towns": grouped.count().astype(float), "q1": quartiles[0.25],
                              "median": quartiles[0.5], "q3": quartiles[0.75], "low": grouped.min(),
                              "high": grouped.max()}).reset_index()[columns]
    if not by:
        stats = stats.set_index("section").reindex(sections).reset_index()
        stats["towns"] = stats["towns"].fillna(0)
    stats["towns"] = stats["towns"].astype(int)
    return suppress(stats, min_towns)


def exploded_needs(rows: pd.DataFrame, section: str | None = None) -> pd.DataFrame:
    """One row per (town, recommendation) the roadmaps plan, optionally only for gaps in one section.

    Each pair once, in the order the rows name them. Each distinct id string is split once (a state has far
    fewer distinct strings than rows), then rows are repeated by their number of ids: no per-row pandas work.
    """
    if section:
        rows = rows[rows["section"] == section]
    rows = rows[rows["needs"].notna() & (rows["needs"] != "")]
    codes, uniques = pd.factorize(rows["needs"])
    split = [str(u).split() for u in uniques]
    counts = np.array([len(ids) for ids in split], dtype=np.int64)[codes] if len(split) else np.zeros(0, np.int64)
    out = rows[["town_id", "town", "band", "region_code"]].iloc[np.repeat(np.arange(len(rows)), counts)]
    out = out.reset_index(drop=True)
    out["rec_id"] = pd.Series(list(chain.from_iterable(map(split.__getitem__, codes))), dtype="object")
    return out[~out.duplicated(["town_id", "rec_id"])].reset_index(drop=True)


def common_gaps(rows: pd.DataFrame, titles: dict[str, str], section: str | None = None,
                names: bool = True, needs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each recommendation ranked by how many assessed towns need it, with the share and the towns' names.

    `names=False` leaves the names out (a statewide table does not list thousands of towns); `needs` passes
    `exploded_needs(rows, section)` when the caller already has it.
    """
    assessed = rows["town_id"].nunique()
    needs = exploded_needs(rows, section) if needs is None else needs
    columns = ["rec_id", "title", "towns", "share", *(["town_names"] if names else [])]
    if needs.empty:
        return pd.DataFrame(columns=columns)
    # exploded_needs holds each (town, recommendation) once, so a group's size is its number of towns
    towns = needs.groupby("rec_id").size().rename("towns")
    grouped = towns.to_frame()
    if names:
        grouped["town_names"] = needs.sort_values("town").groupby("rec_id")["town"].agg(list)
    grouped["share"] = grouped["towns"] / assessed
    grouped["title"] = [titles.get(r, r) for r in grouped.index]
    grouped = grouped.rename_axis("rec_id").reset_index().sort_values(["towns", "rec_id"], ascending=[False, True])
    return grouped[columns].reset_index(drop=True)


def shared_services(rows: pd.DataFrame, costs: pd.DataFrame, titles: dict[str, str], min_towns: int,
                    by: str | None = None, section: str | None = None, names: bool = True,
                    needs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recommendations needed by at least `min_towns` towns (of one `by` group): a joint purchase.

    Most towns first, then the largest combined one-time cost (where buying together saves most).

    The combined cost range adds each involved town's range for its own population band; `costs` has columns
    rec_id, band, one_time_low, one_time_high, yearly_low, yearly_high. `names` and `needs` as in `common_gaps`.
    """
    keys = [by, "rec_id"] if by else ["rec_id"]
    money = ["one_time_low", "one_time_high", "yearly_low", "yearly_high"]
    cols = [*keys, "title", "towns", *(["town_names"] if names else []), *money]
    needs = exploded_needs(rows, section) if needs is None else needs
    if needs.empty:
        return pd.DataFrame(columns=cols)
    priced = needs.merge(costs, how="left", on=["rec_id", "band"])
    priced[money] = priced[money].fillna(0)
    grouped = priced.groupby(keys)
    out = grouped[money].sum()
    out.insert(0, "towns", grouped.size())  # one row per (town, recommendation): the size counts towns
    out = out[out["towns"] >= min_towns].reset_index()
    if names and len(out):
        kept = priced.merge(out[keys], on=keys)
        listed = kept.sort_values("town").groupby(keys)["town"].agg(list).rename("town_names")
        out = out.merge(listed, left_on=keys, right_index=True, how="left")
    elif names:
        out["town_names"] = pd.Series(dtype="object")
    out[money] = out[money].astype(int)
    out["title"] = [titles.get(r, r) for r in out["rec_id"]]
    order = ([by] if by else []) + ["towns", "one_time_high", "rec_id"]
    out = out.sort_values(order, ascending=[True] * bool(by) + [False, False, True])
    return out[cols].reset_index(drop=True)


def change(frame: pd.DataFrame, cycle: int, previous: int) -> pd.DataFrame:
    """Per town and section, the score in `previous` and `cycle` and the change, for towns submitted in both."""
    now = submitted(frame, cycle)
    before = submitted(frame, previous)
    cols = ["town_id", "section", "score", "tier", "qs_version"]
    both = now[[*TOWN_COLUMNS, *cols[1:]]].merge(before[cols], on=["town_id", "section"], how="inner",
                                                  suffixes=("", "_before"))
    both["delta"] = both["score"] - both["score_before"]
    both["version_changed"] = both["qs_version"] != both["qs_version_before"]
    return both.sort_values(["town", "section"]).reset_index(drop=True)


def change_summary(changes: pd.DataFrame, sections: list[str], min_towns: int, by: str | None = None) -> pd.DataFrame:
    """Median change per section (and `by` group) over the towns submitted in both cycles, suppressed when few."""
    keys = [by, "section"] if by else ["section"]
    if changes.empty:
        stats = pd.DataFrame(columns=[*keys, "towns", "median_delta"])
    else:
        stats = changes.groupby(keys).agg(towns=("town_id", "nunique"), median_delta=("delta", "median"))
        stats = stats.reset_index()
    if not by:
        stats = stats.set_index("section").reindex(sections).reset_index()
        stats["towns"] = stats["towns"].fillna(0)
    stats["towns"] = stats["towns"].astype(int)
    return suppress(stats, min_towns, ("median_delta",))


def versions(rows: pd.DataFrame) -> dict[int, int]:
    """Question-set version → how many assessed towns answered it (more than one key means: compare with care)."""
    per_town = rows.drop_duplicates("town_id")
    return {int(v): int(n) for v, n in per_town["qs_version"].value_counts().sort_index().items()}


def peer_benchmarks(rows: pd.DataFrame, region_id: int, sections: list[str], min_towns: int) -> pd.DataFrame:
    """Per section, the region's and the state's quartiles; a group of fewer than `min_towns` is suppressed.

    Lowest and highest scores are never included: on a town's page an extreme is another town's own score.
    """
    out = pd.DataFrame({"section": sections})
    for prefix, group in (("region", rows[rows["region_id"] == region_id]), ("state", rows)):
        stats = distribution(group, sections, min_towns)[["section", "towns", "q1", "median", "q3", "suppressed"]]
        out = out.merge(stats.add_prefix(prefix + "_").rename(columns={prefix + "_section": "section"}),
                        on="section", how="left")
    return out


def region_heatmap(rows: pd.DataFrame, sections: list[str], min_towns: int) -> pd.DataFrame:
    """Regions × sections: median score and towns per cell (the statewide picture), suppressed when few."""
    stats = distribution(rows, sections, min_towns, by="region_code")
    return stats[["region_code", "section", "towns", "median", "suppressed"]]
