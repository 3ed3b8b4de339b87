"""plotly.js, served by the app itself from the installed plotly package: no CDN, so the app
works on a closed network. The URL carries the version, so browsers may keep it for a year."""

from pathlib import Path

import plotly
from flask import Blueprint, abort, send_file
from flask.typing import ResponseReturnValue

bp = Blueprint("assets", __name__, url_prefix="/assets")

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__
ONE_YEAR = 365 * 24 * 3600


@bp.route("/plotly-<version>.min.js")
def plotly_js(version: str) -> ResponseReturnValue:  # Who: anyone; a public library file.
    if version != PLOTLY_VERSION:
        abort(404)
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR, conditional=True)
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response
