"""A bare Flask app: one route that answers "ok", nothing else. `bench.run` serves it under the
same gunicorn as the app and sets the app's own /livez beside it: what the app's per-request
work (session, user, language, limits, headers) costs over Flask's own floor."""

from flask import Flask

app = Flask(__name__)


@app.get("/livez")
def livez() -> str:
    return "ok"
