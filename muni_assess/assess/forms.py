"""Section forms built from content through a question-type → field registry (a fresh class per call)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from scoring.content import Question, Section
from scoring.engine import DONT_KNOW

NOTE_MAX = 2000


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; the choice check is done by scoring.engine.clean_answer so messages are the same everywhere."""

    def pre_validate(self, form):
        pass


def _choices(q: Question) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in q.options]


def _single(q: Question) -> dict:
    return {f"q_{q.id}": RadioField(q.prompt, choices=_choices(q),
                                    validators=[Optional()], validate_choice=False)}


def _multi(q: Question) -> dict:
    return {f"q_{q.id}": MultiCheckboxField(q.prompt, choices=_choices(q),
                                            validators=[Optional()])}


def _number(q: Question) -> dict:
    return {f"q_{q.id}": StringField(q.prompt, validators=[Optional(), Length(max=40)]),
            f"dk_{q.id}": BooleanField("I don't know")}


FIELD_BUILDERS = {"single": _single, "multi": _multi, "number": _number}


def build_section_form(section: Section):
    """A new form class for one section: per question its answer field(s), a note and the version it showed."""

    class SectionForm(FlaskForm):
        save = SubmitField("Save this section")

    for q in section.questions:
        for name, fld in FIELD_BUILDERS[q.type](q).items():
            setattr(SectionForm, name, fld)
        setattr(SectionForm, f"note_{q.id}", TextAreaField("Note (optional)", validators=[Length(max=NOTE_MAX)]))
        setattr(SectionForm, f"v_{q.id}", HiddenField())
    return SectionForm


def submitted_answers(form, section: Section) -> dict[str, tuple]:
    """Read a posted section form as question id → (raw value, note, base version, digest shown)."""
    out = {}
    for q in section.questions:
        raw = form[f"q_{q.id}"].data
        if q.type == "number" and form[f"dk_{q.id}"].data:
            raw = DONT_KNOW
        base, _, seen = (form[f"v_{q.id}"].data or "0:").partition(":")
        out[q.id] = (raw, form[f"note_{q.id}"].data or "", int(base) if base.isdigit() else 0, seen)
    return out
