"""GET /healthz: up when the database answers, 503 when it does not."""

from tests.conftest import make_config
from tracker import create_app


def test_healthy_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unhealthy_when_the_database_is_down(backend, tmp_path):
    if backend == "sqlite":
        url = "sqlite:///" + str(tmp_path / "no-such-folder" / "tracker.sqlite")
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    app = create_app(make_config(url, tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert "Traceback" not in response.get_data(as_text=True)


def test_live_answers_without_touching_the_database(tmp_path):
    # The database cannot be reached, and /livez still answers: it says only that the
    # process is up (what a supervisor restarts on), not that it can serve.
    url = "sqlite:///" + str(tmp_path / "no-such-folder" / "tracker.sqlite")
    app = create_app(make_config(url, tmp_path))
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"
