"""Jinja filters: formatting only, no decisions."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from scoring.engine import answer_label


def _date(value: dt.datetime | None) -> str:
    return value.strftime("%B %-d, %Y") if value else ""


def _answer_label(value, question) -> str:
    return answer_label(question, value)


def register(app: Flask) -> None:
    app.add_template_filter(_date, "date")
    app.add_template_filter(_answer_label, "answer_label")
