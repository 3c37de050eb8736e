"""The administrator's form for a program's changeable facts."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class FactsForm(FlaskForm):
    program_id = HiddenField(validators=[DataRequired()])
    window = TextAreaField("Application window", validators=[Optional(), Length(max=600)])
    award_max = IntegerField("Largest award (dollars)", validators=[Optional(), NumberRange(min=0, max=100_000_000)])
    cost_share_rule = SelectField("Cost-share rule", choices=[
        SelectChoice("", "Keep as is"), SelectChoice("none", "No local match"),
        SelectChoice("percent_of_total", "Town pays a percent of the total project cost"),
        SelectChoice("percent_of_award", "Town adds a percent of the award")], validators=[Optional()])
    cost_share_percent = DecimalField("Cost-share percent", places=1,
                                      validators=[Optional(), NumberRange(min=0, max=99)])

    def validate(self, extra_validators=None) -> bool:
        """A rule and its percent are checked together (Optional() would skip a per-field check on a blank)."""
        ok = super().validate(extra_validators)
        rule, percent = self.cost_share_rule.data, self.cost_share_percent.data
        message = None
        if rule in ("percent_of_total", "percent_of_award") and not percent:
            message = "Give the percent for this rule (for example 40)."
        elif rule == "none" and percent:
            message = "A rule without a match takes no percent; leave it blank."
        elif percent and not rule:
            message = "Choose the cost-share rule the percent belongs to."
        if message:
            self.cost_share_percent.errors = [*self.cost_share_percent.errors, message]
            return False
        return ok
