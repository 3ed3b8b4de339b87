"""Moments are stored in UTC and shown in the person's time zone (their setting, else the
site's TRACKER_TIME_ZONE, Europe/Berlin by default)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from flask_login import current_user


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str | None) -> bool:
    return bool(name) and name in zone_names()


def zone_of(user: object | None = None) -> ZoneInfo:
    """The zone to show `user` (default: the signed-in person) moments in."""
    user = current_user if user is None else user
    for name in (getattr(user, "time_zone", None), current_app.config["TIME_ZONE"]):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A stored moment (UTC; SQLite hands it back naive) in the person's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone_of()).strftime(fmt)
