"""Who may do what: the one place every view and service asks.

viewer: read. editor: read, and write their own city's plans, actions, milestones, partners
and indicators. lead: read, write any city and the programme. admin: everything, accounts too.
"""

from __future__ import annotations

from tracker.models import Milestone, User
from tracker.services.errors import PermissionDenied

PROGRAMME_ROLES = frozenset({"lead", "admin"})


def is_programme_editor(user: User) -> bool:
    return user.is_authenticated and user.role in PROGRAMME_ROLES


def can_edit_city(user: User, city_id: int | None) -> bool:
    if is_programme_editor(user):
        return True
    return (
        user.is_authenticated
        and user.role == "editor"
        and city_id is not None
        and user.city_id == city_id
    )


def require_city_editor(user: User, city_id: int | None) -> None:
    if not can_edit_city(user, city_id):
        raise PermissionDenied("Only this city's editors and the programme leads may change this.")


def require_programme_editor(user: User) -> None:
    if not is_programme_editor(user):
        raise PermissionDenied("Only programme leads may change programme data.")


def require_admin(user: User) -> None:
    if not (user.is_authenticated and user.role == "admin"):
        raise PermissionDenied("Only administrators may manage accounts.")


def require_audit_reader(user: User) -> None:
    if not is_programme_editor(user):
        raise PermissionDenied("Only programme leads and administrators may read the audit log.")


def milestone_city_id(milestone: Milestone) -> int | None:
    if milestone.plan is not None:
        return milestone.plan.city_id
    if milestone.action is not None:
        return milestone.action.plan.city_id
    return None


def can_edit_milestone(user: User, milestone: Milestone) -> bool:
    if milestone.programme_id is not None:
        return is_programme_editor(user)
    return can_edit_city(user, milestone_city_id(milestone))


def require_milestone_editor(user: User, milestone: Milestone) -> None:
    if not can_edit_milestone(user, milestone):
        raise PermissionDenied("You may not change this milestone.")
