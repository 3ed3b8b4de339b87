"""Who may do what: the one place every view and service asks.

viewer: read. editor: read, and write their own city's plans, actions, milestones, partners
and indicators. lead: read, write any city and the programme. admin: everything, accounts too.
"""

from __future__ import annotations

from typing import Protocol

from flask_babel import gettext as _

from tracker.domain.errors import PermissionDenied
from tracker.models import Action, Indicator, Milestone, Partner, Plan


class Actor(Protocol):
    """Whoever acts: a signed-in account (models.User), or the operator at the command line
    (accounts.CommandLineActor). The permissions and the audit trail read only these."""

    @property
    def id(self) -> int | None: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def city_id(self) -> int | None: ...
    @property
    def is_authenticated(self) -> bool: ...


PROGRAMME_ROLES = frozenset({"lead", "admin"})


def is_programme_editor(user: Actor) -> bool:
    return user.is_authenticated and user.role in PROGRAMME_ROLES


def can_edit_city(user: Actor, city_id: int | None) -> bool:
    if is_programme_editor(user):
        return True
    return (
        user.is_authenticated
        and user.role == "editor"
        and city_id is not None
        and user.city_id == city_id
    )


def require_city_editor(user: Actor, city_id: int | None) -> None:
    if not can_edit_city(user, city_id):
        raise PermissionDenied(
            _("Only this city's editors and the programme leads may change this.")
        )


def require_programme_editor(user: Actor) -> None:
    if not is_programme_editor(user):
        raise PermissionDenied(_("Only programme leads may change programme data."))


def is_admin(user: Actor) -> bool:
    return user.is_authenticated and user.role == "admin"


def can_import(user: Actor) -> bool:
    """Editors import their own city's rows (the services check each row); leads any."""
    return user.is_authenticated and user.role in CITY_WRITERS


def has_own_city(user: Actor) -> bool:
    return user.is_authenticated and user.role == "editor"


def review_city_ids(user: Actor) -> frozenset[int]:
    """The cities an account was granted the review permission for (leads review all)."""
    return frozenset(getattr(user, "review_city_ids", ()) or ())


def can_review(user: Actor, city_id: int | None) -> bool:
    """Leads and administrators review every report; others the cities granted to them (a
    report on a programme milestone, with no city, is the leads')."""
    if is_programme_editor(user):
        return True
    return user.is_authenticated and city_id is not None and city_id in review_city_ids(user)


def is_reviewer(user: Actor) -> bool:
    return is_programme_editor(user) or (user.is_authenticated and bool(review_city_ids(user)))


def require_reviewer(user: Actor, city_id: int | None) -> None:
    if not can_review(user, city_id):
        raise PermissionDenied(_("You do not review this city's reports."))


CITY_WRITERS = frozenset({"editor", *PROGRAMME_ROLES})
# What the templates may ask: can("import") and the like, never a role compared by hand.
ABILITIES = {
    "import": can_import,
    "read_audit": is_programme_editor,
    "manage_accounts": is_admin,
    "use_my_city": has_own_city,
    "review": is_reviewer,
}


def can(user: Actor, ability: str) -> bool:
    return ABILITIES[ability](user)


def require_importer(user: Actor) -> None:
    if not can_import(user):
        raise PermissionDenied(_("Viewers cannot import."))


def require_admin(user: Actor) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may manage accounts."))


def require_audit_reader(user: Actor) -> None:
    if not is_programme_editor(user):
        raise PermissionDenied(_("Only programme leads and administrators may read the audit log."))


def city_of(record: Plan | Action | Partner | Indicator) -> int:
    """The city whose data a record is: a plan's own, an action's or a partner's plan's, an
    indicator's action's plan's."""
    if isinstance(record, Plan):
        return record.city_id
    if isinstance(record, Indicator):
        return record.action.plan.city_id
    return record.plan.city_id


def milestone_city_id(milestone: Milestone) -> int | None:
    if milestone.plan is not None:
        return milestone.plan.city_id
    if milestone.action is not None:
        return milestone.action.plan.city_id
    return None


def can_edit_milestone(user: Actor, milestone: Milestone) -> bool:
    if milestone.programme_id is not None:
        return is_programme_editor(user)
    return can_edit_city(user, milestone_city_id(milestone))


def require_milestone_editor(user: Actor, milestone: Milestone) -> None:
    if not can_edit_milestone(user, milestone):
        raise PermissionDenied(_("You may not change this milestone."))
