"""The dashboard filters: a GET form (no CSRF: it changes nothing), checked against the real choices."""
from __future__ import annotations

from wtforms import Form, SelectField


class FilterForm(Form):
    """Population band and section; an unknown value is reported and ignored."""

    band = SelectField("Population band", default="")
    section = SelectField("Section", default="")

    @classmethod
    def build(cls, args, bands: list[tuple[str, str]], sections: list[tuple[str, str]]) -> FilterForm:
        form = cls(args)
        form.band.choices = [("", "All sizes"), *bands]
        form.section.choices = [("", "All sections"), *sections]
        return form

    def problems(self) -> list[str]:
        """Plain messages for values that are not among the choices (the page then shows everything)."""
        out = []
        for field in (self.band, self.section):
            if field.data and field.data not in {v for v, _ in field.choices}:
                out.append(f"“{field.data[:40]}” is not a {field.label.text.lower()} this page knows; showing all.")
                field.data = ""
        return out
