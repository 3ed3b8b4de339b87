"""Migration 0005 brings corrections stored under the old meaning (a correction dated the day
it was entered, several corrections of one update) to the new one, on either database."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import fresh_database, make_config
from tracker import create_app
from tracker.database import writing


@pytest.fixture
def old_database(backend, tmp_path_factory, tmp_path):
    with fresh_database(backend, tmp_path_factory) as url:
        app = create_app(make_config(url, tmp_path))
        with app.app_context(), writing():
            upgrade(revision="0004")
        yield app
        with app.app_context():
            from tracker.extensions import db

            db.engine.dispose()


def test_old_corrections_take_their_original_place(old_database):
    from tracker.extensions import db

    app = old_database
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO cities (id, slug, name, country, is_demo) "
                "VALUES (1, 'x', 'X', 'DE', false)"
            )
            c.exec_driver_sql(
                "INSERT INTO plans (id, city_id, slug, kind, title, version, is_demo) "
                "VALUES (1, 1, 'p', 'action_programme', 'P', 1, false)"
            )
            c.exec_driver_sql(
                "INSERT INTO actions (id, plan_id, slug, position, title, status, "
                "percent_complete, last_reported_on, created_at, version, is_demo) VALUES "
                "(1, 1, 'a', 0, 'A', 'on_track', 36, '2026-11-20', '2026-01-01', 1, false)"
            )
            c.exec_driver_sql(
                "INSERT INTO indicators (id, action_id, slug, name, unit, version, is_demo) "
                "VALUES (1, 1, 'i', 'I', 'kWp', 1, false)"
            )
            rows = [
                # id, reported_on, percent, corrects_id, indicator value
                (1, "2024-06-01", 40, None, None),
                (2, "2024-08-03", 55, None, None),
                (3, "2024-09-01", 52, None, None),
                (4, "2026-11-20", 36, 2, 7.0),  # the old web path: dated the day it was entered
                (5, "2026-11-21", 37, 2, None),  # a second correction of the same update
            ]
            for id_, day, percent, corrects, value in rows:
                c.execute(
                    sa.text(
                        "INSERT INTO progress_updates (id, action_id, created_at, reported_on, "
                        "status, percent_complete, corrects_id, indicator_id, indicator_value, "
                        "is_demo) VALUES (:id, 1, '2026-11-20', :day, 'on_track', :percent, "
                        ":corrects, :indicator, :value, false)"
                    ),
                    {
                        "id": id_,
                        "day": day,
                        "percent": percent,
                        "corrects": corrects,
                        "indicator": 1 if value is not None else None,
                        "value": value,
                    },
                )
            c.exec_driver_sql(
                "INSERT INTO indicator_values (id, indicator_id, measured_on, value, created_at, "
                "is_demo) VALUES (1, 1, '2026-11-20', 7.0, '2026-11-20', false)"
            )
        with writing():
            upgrade()
        with db.engine.connect() as c:
            updates = c.execute(
                sa.text(
                    "SELECT id, reported_on, corrects_id, original_id FROM progress_updates "
                    "ORDER BY id"
                )
            ).all()
            action = c.execute(
                sa.text("SELECT status, percent_complete, last_reported_on FROM actions")
            ).one()
            value = c.execute(
                sa.text("SELECT progress_update_id, measured_on FROM indicator_values")
            ).one()

    def day(value):
        return value if isinstance(value, date) else date.fromisoformat(value)

    as_read = [(i, day(d), corrects, original) for i, d, corrects, original in updates]
    assert as_read == [
        (1, date(2024, 6, 1), None, None),
        (2, date(2024, 8, 3), None, None),
        (3, date(2024, 9, 1), None, None),
        (4, date(2024, 8, 3), 2, 2),
        (5, date(2024, 8, 3), 4, 2),  # now corrects the correction before it
    ]
    # The present is the latest effective update again: 2024-09-01's 52 %, not the 36 %.
    assert (action[0], action[1], day(action[2])) == ("on_track", 52, date(2024, 9, 1))
    assert (value[0], day(value[1])) == (4, date(2024, 8, 3))
