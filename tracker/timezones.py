"""Moments are stored in UTC and shown in the person's time zone (their setting, else the
site's TRACKER_TIME_ZONE, Europe/Berlin by default)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_request_context, request
from flask_login import current_user


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str | None) -> bool:
    return bool(name) and name in zone_names()


def zone_of(user: object | None = None) -> ZoneInfo:
    """The zone to show `user` (default: the signed-in person; nobody on a public page, which
    never reads a session) moments in."""
    if user is None:
        public = has_request_context() and request.blueprint == "public"
        user = None if public else current_user
    for name in (getattr(user, "time_zone", None), current_app.config["TIME_ZONE"]):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")
