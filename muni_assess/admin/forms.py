"""Forms of the accounts administration. Choices are filled per request from access.py."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional


class InvitationForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter the person's e-mail address."),
                                                    Email("Enter an email address like name@town.gov."),
                                                    Length(max=254)])
    name = StringField("Name (optional)", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", validators=[DataRequired("Choose a role.")])
    town_id = SelectField("Town (for a town editor)", coerce=int, validators=[Optional()])
    region_id = SelectField("Region (for a COG analyst)", coerce=int, validators=[Optional()])
    submit = SubmitField("Send invitation")


class UserForm(FlaskForm):
    role = SelectField("Role", validators=[DataRequired("Choose a role.")])
    town_id = SelectField("Town (for a town editor)", coerce=int, validators=[Optional()])
    region_id = SelectField("Region (for a COG analyst)", coerce=int, validators=[Optional()])
    active = BooleanField("Account is active (can sign in)")
    submit = SubmitField("Save changes")


class ActionForm(FlaskForm):
    submit = SubmitField("Confirm")
