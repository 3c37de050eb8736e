"""Forms of the funding pages. The scenario form is a GET form (a result is a bookmarkable view, nothing is
written), so it has no CSRF token; every form that writes is a POST with one."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from scoring.funding import (
    DEFAULT_WEIGHTS,
    FACILITIES,
    FACTOR_LABELS,
    FACTORS,
    FundingInputError,
    check_budget,
    check_weights,
)

DEFAULT_BUDGET = 2_000_000


def _budget(_form, field):
    try:
        check_budget(field.data)
    except FundingInputError as exc:
        raise ValidationError(str(exc)) from None


def _weight(factor: str):
    def check(_form, field):
        try:
            check_weights({factor: field.data})
        except FundingInputError as exc:
            raise ValidationError(str(exc).replace(f"{FACTOR_LABELS[factor]} weight", "The weight")) from None
    return check


class ScenarioForm(FlaskForm):
    """Budget, weights and the include-unknown choice."""

    class Meta:
        csrf = False

    budget = StringField("Budget in dollars", default=f"{DEFAULT_BUDGET:,}", validators=[_budget, Length(max=30)])
    include_unknown = BooleanField("Include towns whose status is unknown (no assessment answer)")
    show = SubmitField("Show the selection")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not any(float(self[f"w_{f}"].data) > 0 for f in FACTORS):
            self[f"w_{FACTORS[0]}"].errors.append("At least one weight must be more than zero.")
            return False
        return ok

    def weights(self) -> dict[str, float]:
        return {f: float(self[f"w_{f}"].data) for f in FACTORS}


for _f in FACTORS:
    setattr(ScenarioForm, f"w_{_f}", StringField(f"{FACTOR_LABELS[_f]} weight", default=f"{DEFAULT_WEIGHTS[_f]:g}",
                                                 validators=[InputRequired("Enter a weight (0 or more)."),
                                                             _weight(_f), Length(max=12)]))


class SaveScenarioForm(FlaskForm):
    """Name the scenario on the page; the hidden fields carry its budget and weights."""

    name = StringField("Scenario name", validators=[InputRequired("Give the scenario a name."), Length(max=120)])
    budget = HiddenField(validators=[_budget])
    include_unknown = HiddenField()
    save = SubmitField("Save this scenario")


for _f in FACTORS:
    setattr(SaveScenarioForm, f"w_{_f}", HiddenField(validators=[_weight(_f)]))


class DeleteForm(FlaskForm):
    delete = SubmitField("Delete")


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    a = SelectField("First scenario", coerce=int)
    b = SelectField("Second scenario", coerce=int)
    compare = SubmitField("Compare side by side")


def _cost(_form, field):
    raw = (field.data or "").replace(",", "").replace("$", "").strip()
    if raw and (not raw.isdigit() or int(raw) <= 0):
        raise ValidationError("Enter a whole-dollar amount above $0, or leave it blank for no estimate.")


class CostsForm(FlaskForm):
    save = SubmitField("Save cost defaults")

    def costs(self) -> dict[str, int | None]:
        out = {}
        for f in FACILITIES:
            raw = (self[f"cost_{f}"].data or "").replace(",", "").replace("$", "").strip()
            out[f] = int(raw) if raw else None
        return out


for _f, _label in FACILITIES.items():
    setattr(CostsForm, f"cost_{_f}", StringField(f"{_label}: one-time connection cost", validators=[_cost,
                                                                                                   Length(max=15)]))


class EquityForm(FlaskForm):
    file = FileField("Equity file (CSV with the columns town and score)",
                     validators=[FileRequired("Choose a CSV file to upload.")])
    upload = SubmitField("Upload and check")


class ClearEquityForm(FlaskForm):
    clear = SubmitField("Remove the equity scores")
