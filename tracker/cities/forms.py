"""The city list's filters (GET)."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional


class CityFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    role = SelectField("Role", validators=[Optional()])
    country = SelectField("Country", validators=[Optional()])
    sector = SelectField("Sector", validators=[Optional()])
    lgd_status = SelectField("Deal status", validators=[Optional()])
    sort = SelectField("Sort by", validators=[Optional()])
