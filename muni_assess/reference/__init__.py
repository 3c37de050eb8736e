"""Shipped public reference data: towns, regions and boundaries (see SOURCES.md beside this file)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

REGION_NAMES = {
    "CT": {
        "CRCOG": "Capitol Region Council of Governments",
        "MetroCOG": "Connecticut Metropolitan Council of Governments",
        "RiverCOG": "Lower Connecticut River Valley Council of Governments",
        "NVCOG": "Naugatuck Valley Council of Governments",
        "NECCOG": "Northeastern Connecticut Council of Governments",
        "NHCOG": "Northwest Hills Council of Governments",
        "SCRCOG": "South Central Regional Council of Governments",
        "SCCOG": "Southeastern Connecticut Council of Governments",
        "WestCOG": "Western Connecticut Council of Governments",
    },
    "MA": {
        "BRPC": "Berkshire Regional Planning Commission",
        "CCC": "Cape Cod Commission",
        "CMRPC": "Central Massachusetts Regional Planning Commission",
        "FRCOG": "Franklin Regional Council of Governments",
        "MAPC": "Metropolitan Area Planning Council",
        "MRPC": "Montachusett Regional Planning Commission",
        "MVC": "Martha's Vineyard Commission",
        "MVPC": "Merrimack Valley Planning Commission",
        "NMCOG": "Northern Middlesex Council of Governments",
        "NPEDC": "Nantucket Planning and Economic Development Commission",
        "OCPC": "Old Colony Planning Council",
        "PVPC": "Pioneer Valley Planning Commission",
        "SRPEDD": "Southeastern Regional Planning and Economic Development District",
    },
}


@dataclass(frozen=True)
class TownRecord:
    name: str
    county: str
    region_code: str
    population: int
    fips: str


def towns(state: str) -> list[TownRecord]:
    """The state's municipalities with their region (CT: COG; MA: regional planning agency)."""
    path = HERE / ("ct_towns.csv" if state == "CT" else "ma_towns.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    key = "cog" if state == "CT" else "regional_planning_agency"
    return [TownRecord(r["town"], r["county"], r[key], int(r["population_2020"]), r["fips"]) for r in rows]
