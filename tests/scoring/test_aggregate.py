"""Regional statistics against hand-computed examples (no app, no database)."""
from __future__ import annotations

import math

import pandas as pd

from scoring import aggregate

SECTIONS = ["backup", "hygiene"]


def row(town_id, town, section, score, *, cycle=2026, status="submitted", region="R1", band="small", needs="",
        tier="none", version=1, overall=50.0):
    return {"region_id": 1 if region == "R1" else 2, "region_code": region, "region": f"Region {region}",
            "town_id": town_id, "town": town, "population": 5000, "band": band, "cycle": cycle, "status": status,
            "updated_at": pd.Timestamp("2026-03-01"), "qs_version": version, "section": section, "score": score,
            "tier": tier, "overall": overall, "answered": 10, "visible": 10, "needs": needs}


def frame(rows):
    return pd.DataFrame(rows, columns=list(aggregate.FRAME_COLUMNS))


def five_towns(region="R1", first_id=1):
    """Backup scores 10, 20, 30, 40, 50: quartiles 20 / 30 / 40 by linear interpolation."""
    return [row(first_id + i, f"T{first_id + i}", "backup", 10.0 * (i + 1), region=region) for i in range(5)]


def test_quartiles_of_five_towns_are_the_middle_three_scores():
    stats = aggregate.distribution(frame(five_towns()), SECTIONS, min_towns=5).set_index("section")
    backup = stats.loc["backup"]
    assert (backup.towns, backup.low, backup.q1, backup["median"], backup.q3, backup.high) == (5, 10, 20, 30, 40, 50)
    assert not backup.suppressed
    assert stats.loc["hygiene"].towns == 0 and stats.loc["hygiene"].suppressed  # no data: suppressed, not zero


def test_four_towns_are_suppressed_five_are_shown():
    four = aggregate.distribution(frame(five_towns()[:4]), SECTIONS, min_towns=5).set_index("section").loc["backup"]
    assert four.suppressed and four.towns == 4
    assert all(math.isnan(four[c]) for c in ("q1", "median", "q3", "low", "high"))
    five = aggregate.distribution(frame(five_towns()), SECTIONS, min_towns=5).set_index("section").loc["backup"]
    assert not five.suppressed and five["median"] == 30


def test_even_count_median_interpolates():
    rows = [row(i, f"T{i}", "backup", s) for i, s in enumerate([0.0, 10.0, 20.0, 100.0], start=1)]
    stats = aggregate.distribution(frame(rows), ["backup"], min_towns=1).iloc[0]
    # sorted 0, 10, 20, 100: q1 at position 0.75 → 7.5; median 15; q3 at 2.25 → 40
    assert (stats.q1, stats["median"], stats.q3) == (7.5, 15.0, 40.0)


def test_only_submitted_rows_of_the_cycle_count():
    rows = five_towns() + [row(9, "Draft", "backup", 99.0, status="in_progress"),
                           row(10, "Old", "backup", 1.0, cycle=2025)]
    assert sorted(aggregate.submitted(frame(rows), 2026)["town"]) == ["T1", "T2", "T3", "T4", "T5"]


def test_completion_lists_every_town_with_its_status():
    never = {**row(7, "Never", None, None), "cycle": None, "status": None, "section": None, "overall": None,
             "answered": None, "visible": None}
    only_last_year = row(8, "Lapsed", "backup", 40.0, cycle=2025)
    draft = {**row(9, "Draft", "backup", 20.0, status="in_progress"), "answered": 3, "visible": 12}
    table = aggregate.completion(frame([*five_towns()[:1], never, only_last_year, draft]), 2026).set_index("town")
    assert table.loc["T1", "status"] == "submitted" and table.loc["T1", "percent_complete"] == 100
    assert table.loc["Never", "status"] == "not_started" and math.isnan(table.loc["Never", "percent_complete"])
    assert table.loc["Lapsed", "status"] == "not_started"
    assert table.loc["Draft", "status"] == "in_progress" and table.loc["Draft", "percent_complete"] == 25
    counts = aggregate.status_counts(table.reset_index()).iloc[0]
    assert (counts.not_started, counts.in_progress, counts.submitted, counts.towns) == (2, 1, 1, 4)


def test_common_gaps_count_towns_once_and_rank_by_count():
    rows = [row(1, "A", "backup", 10, needs="offsite mfa"), row(1, "A", "hygiene", 10, needs="mfa"),
            row(2, "B", "backup", 10, needs="offsite"), row(3, "C", "backup", 10, needs=""),
            row(4, "D", "hygiene", 10, needs="inventory mfa")]
    gaps = aggregate.common_gaps(frame(rows), {"mfa": "Turn on MFA"})
    assert gaps[["rec_id", "towns"]].values.tolist() == [["mfa", 2], ["offsite", 2], ["inventory", 1]]
    assert gaps.iloc[0].title == "Turn on MFA" and gaps.iloc[0].town_names == ["A", "D"]
    assert gaps.iloc[0].share == 0.5  # 2 of the 4 assessed towns
    only_backup = aggregate.common_gaps(frame(rows), {}, section="backup")
    assert only_backup[["rec_id", "towns"]].values.tolist() == [["offsite", 2], ["mfa", 1]]


def test_shared_services_need_three_towns_and_add_each_towns_band_cost():
    rows = [row(1, "A", "backup", 10, needs="offsite", band="small"),
            row(2, "B", "backup", 10, needs="offsite", band="small"),
            row(3, "C", "backup", 10, needs="offsite mfa", band="large"),
            row(4, "D", "backup", 10, needs="mfa", band="small")]
    costs = pd.DataFrame([("offsite", "small", 100, 200, 10, 20), ("offsite", "large", 1000, 2000, 100, 200),
                          ("mfa", "small", 0, 0, 5, 5), ("mfa", "large", 0, 0, 50, 50)],
                         columns=["rec_id", "band", "one_time_low", "one_time_high", "yearly_low", "yearly_high"])
    shared = aggregate.shared_services(frame(rows), costs, {"offsite": "Off-site backup"}, min_towns=3)
    assert len(shared) == 1  # mfa: only two towns
    offsite = shared.iloc[0]
    assert (offsite.towns, offsite.title, offsite.town_names) == (3, "Off-site backup", ["A", "B", "C"])
    assert (offsite.one_time_low, offsite.one_time_high) == (1200, 2400)  # 100 + 100 + 1000, 200 + 200 + 2000
    assert (offsite.yearly_low, offsite.yearly_high) == (120, 240)
    assert aggregate.shared_services(frame(rows), costs, {}, min_towns=2)["rec_id"].tolist() == ["offsite", "mfa"]


def test_change_since_previous_cycle_only_for_towns_submitted_both_years():
    rows = [row(1, "A", "backup", 40, cycle=2025), row(1, "A", "backup", 55),
            row(2, "B", "backup", 70, cycle=2025), row(2, "B", "backup", 60, version=2),
            row(3, "C", "backup", 30),  # new this year
            row(4, "D", "backup", 30, cycle=2025), row(4, "D", "backup", 90, status="in_progress")]
    change = aggregate.change(frame(rows), 2026, 2025).set_index("town")
    assert sorted(change.index) == ["A", "B"]
    assert change.loc["A", "delta"] == 15 and change.loc["B", "delta"] == -10
    assert change.loc["B", "version_changed"] and not change.loc["A", "version_changed"]
    summary = aggregate.change_summary(change.reset_index(), ["backup"], min_towns=2).iloc[0]
    assert summary.towns == 2 and summary.median_delta == 2.5
    assert aggregate.change_summary(change.reset_index(), ["backup"], min_towns=3).iloc[0].suppressed


def test_peer_benchmarks_suppress_the_small_region_but_not_the_state():
    rows = frame(five_towns("R1")[:4] + five_towns("R2", first_id=11)[:1])  # R1: 4 towns, state: 5
    peers = aggregate.peer_benchmarks(rows, region_id=1, sections=["backup"], min_towns=5).iloc[0]
    assert peers.region_suppressed and math.isnan(peers.region_median) and peers.region_towns == 4
    assert not peers.state_suppressed and peers.state_median == 20  # 10, 20, 30, 40 and 10
    assert "region_low" not in peers.index and "state_high" not in peers.index  # extremes are a town's own score


def test_versions_count_towns_per_question_set_version():
    rows = [row(1, "A", "backup", 1, version=1), row(1, "A", "hygiene", 1, version=1),
            row(2, "B", "backup", 1, version=2)]
    assert aggregate.versions(frame(rows)) == {1: 1, 2: 1}


def test_heatmap_is_towns_by_sections_in_order():
    rows = [row(2, "B", "hygiene", 60, tier="good"), row(2, "B", "backup", 30), row(1, "A", "backup", 80, tier="best")]
    scores, tiers = aggregate.heatmap(frame(rows), SECTIONS)
    assert list(scores.columns) == SECTIONS and list(scores.index) == [1, 2]  # sorted by town name
    assert scores.loc[1, "backup"] == 80 and math.isnan(scores.loc[1, "hygiene"]) and tiers.loc[2, "hygiene"] == "good"


def test_bands_of_population():
    bands = [("small", 9999), ("medium", 49999), ("large", None)]
    pops = pd.Series([500, 9999, 10000, 49999, 50000])
    assert aggregate.bands_of(pops, bands).tolist() == ["small", "small", "medium", "medium", "large"]
