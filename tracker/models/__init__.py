"""Every model, importable from one place so Alembic and the app see the whole schema."""

from tracker.models.audit import AuditEvent, ImportBatch
from tracker.models.base import Base
from tracker.models.city import City, Mentorship, Participation
from tracker.models.frameworks import ActionCost
from tracker.models.meta import (
    NEVER_REPORTED,
    ActionTotal,
    CityOverdue,
    DataVersion,
    MilestoneTotal,
    OpenActionReport,
    OverdueDay,
)
from tracker.models.plan import Action, Indicator, IndicatorValue, Partner, Plan, PlanTarget
from tracker.models.programme import (
    Milestone,
    Phase,
    Programme,
    ProgrammeFigure,
    Sector,
    Theme,
)
from tracker.models.progress import ProgressUpdate
from tracker.models.review import Review, ReviewDecision, ReviewGrant
from tracker.models.rounds import ReportingRound, RoundCity, SnapshotItem
from tracker.models.user import (
    AccountLink,
    ApiToken,
    OutgoingMail,
    SignInThrottle,
    Submission,
    User,
    UserSession,
)

__all__ = [
    "NEVER_REPORTED",
    "AccountLink",
    "Action",
    "ActionCost",
    "ActionTotal",
    "ApiToken",
    "AuditEvent",
    "Base",
    "City",
    "CityOverdue",
    "DataVersion",
    "ImportBatch",
    "Indicator",
    "IndicatorValue",
    "Mentorship",
    "Milestone",
    "MilestoneTotal",
    "OpenActionReport",
    "OutgoingMail",
    "OverdueDay",
    "Participation",
    "Partner",
    "Phase",
    "Plan",
    "PlanTarget",
    "Programme",
    "ProgrammeFigure",
    "ProgressUpdate",
    "ReportingRound",
    "Review",
    "ReviewDecision",
    "ReviewGrant",
    "RoundCity",
    "Sector",
    "SignInThrottle",
    "SnapshotItem",
    "Submission",
    "Theme",
    "User",
    "UserSession",
]
