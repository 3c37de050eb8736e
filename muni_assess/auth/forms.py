"""Account forms: sign-in, two-step verification, passwords, invitations."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."),
                                                    Email("Enter an email address like name@town.gov."),
                                                    Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=256)])
    submit = SubmitField("Sign in")


_NEW_PASSWORD_HINT = ("At least 12 characters. Long phrases are good; common or leaked passwords are refused. "
                      "No need for symbols or digits.")


class TwoStepForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[
        DataRequired("Enter the 6-digit code from your app, or one of your recovery codes."), Length(max=20)])
    submit = SubmitField("Verify")


class MfaSetupForm(FlaskForm):
    code = StringField("6-digit code from your app", validators=[
        DataRequired("Enter the 6-digit code your app shows."), Length(max=10)])
    submit = SubmitField("Turn on two-step verification")


class MfaDisableForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password."), Length(max=256)])
    code = StringField("Code from your app (or a recovery code)", validators=[
        DataRequired("Enter a code."), Length(max=20)])
    submit = SubmitField("Turn off two-step verification")


class PasswordConfirmForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password."), Length(max=256)])
    submit = SubmitField("Make new recovery codes")


class NewPasswordMixin:
    password = PasswordField("New password", validators=[DataRequired("Choose a password."), Length(max=256)])
    confirm = PasswordField("New password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords are not the same.")])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password."),
                                                             Length(max=256)])
    submit = SubmitField("Change password")


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField("Your name", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Create my account")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."),
                                                    Email("Enter an email address like name@town.gov."),
                                                    Length(max=254)])
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password")


class ConfirmForm(FlaskForm):
    """A bare CSRF-protected form for one-button actions."""
    submit = SubmitField("Confirm")
