"""View models for the regional pages: headings and row links (no rules, no queries)."""
from __future__ import annotations

from flask import url_for


def headings(picture) -> dict[str, str]:
    where = "the region" if picture.scope == "region" else "the state"
    return {"completion": "Which towns have finished",
            "heatmap": "Which towns need what: scores by section",
            "regions": "Regions side by side",
            "distribution": f"How scores spread across {where}",
            "gaps": "Common gaps",
            "opportunities": "What towns could buy together" if picture.scope == "region"
            else "Shared-service opportunities by region",
            "change": f"Change since {picture.previous}"}


def context(picture) -> dict:
    """Template values besides the picture itself: section headings and the links of row headers."""
    def town_url(table):
        return lambda i: url_for("assess.dashboard", town_id=table.row_ids[i], cycle=picture.cycle)

    def region_url(table):
        return lambda i: url_for("regional.region", code=table.row_ids[i], cycle=picture.cycle)

    return {"headings": headings(picture), "town_url": town_url, "region_url": region_url}
