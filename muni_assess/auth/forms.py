"""Sign-in form."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."),
                                                    Email("Enter an email address like name@town.gov."),
                                                    Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=256)])
    submit = SubmitField("Sign in")
