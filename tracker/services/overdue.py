"""The day the database's kept counts of overdue milestones are dated by (`OverdueDay`,
migration 0024), moved forward to today: a page's figures then add a day's worth of milestones
to the kept counts (`queries.overdue`), not every one due since the day was last moved."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import CityOverdue, OverdueDay
from tracker.queries.overdue import due_between


def advance(to: date) -> int:
    """Move the stored day forward to `to` (never back), adding each city's open milestones due
    from the old day up to `to` to its counts, in the caller's transaction; the days it moved.
    On PostgreSQL milestones are not written meanwhile (a write waits for the commit), so none
    is counted twice or missed; SQLite has one writer at a time."""
    on_postgresql = db.session.get_bind().dialect.name == "postgresql"
    if on_postgresql:
        db.session.execute(sa.text("LOCK TABLE milestones IN SHARE MODE"))
    day = db.session.scalar(sa.select(OverdueDay.day))
    if day is None or to <= day:
        return 0
    between = due_between(day, to)
    dialect = postgresql if on_postgresql else sqlite
    insert = dialect.insert(CityOverdue).from_select(["city_id", "steps", "others"], between)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[CityOverdue.city_id],
            set_={
                "steps": CityOverdue.steps + insert.excluded.steps,
                "others": CityOverdue.others + insert.excluded.others,
            },
        )
    )
    db.session.execute(sa.update(OverdueDay).values(day=to))
    return (to - day).days
