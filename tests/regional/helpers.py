"""Helpers for the regional tests: assessments made from the content itself, and HTML tables read back."""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from muni_assess import contentstore
from muni_assess.demo import demo_answers
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Region, Town


def assess(app, names: list[str], cycle: int, status: str = "submitted", p: float = 0.5, seed: int = 1) -> None:
    """Give each named town a complete (or, in progress, partial) assessment for the cycle."""
    rng = random.Random(seed)
    with app.app_context():
        qs = contentstore.current_set()
        for name in names:
            town = db.session.scalar(db.select(Town).where(Town.name == name))
            answers = demo_answers(qs, town.state, p, rng, share=1.0 if status == "submitted" else 0.5)
            a = Assessment(town=town, cycle=cycle, question_set_id=qs.id, question_set_version=qs.version,
                           content_sha256=qs.sha256, status=status)
            a.answers = [Answer(question_id=q, value=v) for q, v in answers.items()]
            db.session.add(a)
        db.session.commit()


def member_towns(app, code: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Town.name).join(Region).where(Region.code == code)
                                       .order_by(Town.name)))


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._key = attrs["data-table"]
            self.tables[self._key] = []
        elif self._key and tag == "tr":
            self.tables[self._key].append([])
        elif self._key and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif self._key and tag in ("td", "th") and self._cell is not None:
            self.tables[self._key][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Every display table of a page by its key: header row first, cell texts as a reader sees them."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def column(table: list[list[str]], name: str) -> list[str]:
    index = table[0].index(name)
    return [row[index] for row in table[1:]]
