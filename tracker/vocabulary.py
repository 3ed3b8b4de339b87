"""Labels of the codes the app stores (statuses, states, roles), and how dates, numbers and
percentages are written: the one place they are worded, in the request's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from tracker.i18n import kept_words, written_date, written_month, written_number

NO_FIGURE = "\u2013"  # an en dash where there is no figure

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "delayed": _l("Delayed"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
# Every other stored code that a page shows: milestone and step states, roles, deal statuses.
# The Covenant of Mayors' and CDP's codes of an action (models/frameworks.py), in words.
FRAMEWORK_LABELS = {
    "com_sector": {
        "municipal_buildings": _l("Municipal buildings, equipment and facilities"),
        "tertiary_buildings": _l("Tertiary (non-municipal) buildings, equipment and facilities"),
        "residential_buildings": _l("Residential buildings"),
        "public_lighting": _l("Public lighting"),
        "industry": _l("Industry"),
        "transport": _l("Transport"),
        "local_electricity": _l("Local electricity production"),
        "local_heat_cold": _l("Local heat and cold production"),
        "other": _l("Other"),
    },
    "com_area": {
        "building_envelope": _l("Building envelope"),
        "renewables_heating": _l("Renewable energy for space heating and hot water"),
        "efficient_heating": _l("Energy efficiency in space heating and hot water"),
        "efficient_lighting": _l("Energy-efficient lighting"),
        "cleaner_vehicles": _l("Cleaner and efficient vehicles"),
        "electric_vehicles": _l("Electric vehicles and their infrastructure"),
        "modal_shift_public": _l("Modal shift to public transport"),
        "modal_shift_active": _l("Modal shift to walking and cycling"),
        "photovoltaics": _l("Photovoltaics"),
        "wind": _l("Wind power"),
        "chp": _l("Combined heat and power"),
        "district_heating": _l("District heating and cooling"),
        "other": _l("Other"),
    },
    "com_instrument": {
        "awareness_training": _l("Awareness raising and training"),
        "energy_management": _l("Energy management"),
        "certification_labelling": _l("Energy certification and labelling"),
        "grants_subsidies": _l("Grants and subsidies"),
        "third_party_financing": _l("Third-party financing, public-private partnerships"),
        "public_procurement": _l("Public procurement"),
        "building_standards": _l("Building standards"),
        "land_use_planning": _l("Land-use planning"),
        "mobility_planning": _l("Transport and mobility planning"),
        "other": _l("Other"),
    },
    "origin": {
        "local_authority": _l("Local authority"),
        "other": _l("Other (national, regional, ...)"),
    },
    "funding_source": {
        "own": _l("The city's own budget"),
        "national": _l("National funds"),
        "regional": _l("Regional funds"),
        "eu": _l("EU funds"),
        "private": _l("Private funds"),
        "other": _l("Other"),
    },
}


# What a framework still needs of an action (queries/frameworks.py), in each one's words.
NEED_LABELS = {
    "covenant": {
        "com_sector": _l("sector"),
        "com_area": _l("area of intervention"),
        "com_instrument": _l("policy instrument"),
        "origin": _l("origin of the action"),
        "lead_organisation": _l("responsible body"),
        "start_year": _l("start year"),
        "end_year": _l("end year"),
        "status": _l("implementation status"),
        "costs": _l("implementation cost"),
        "impact": _l("an estimated energy saving or renewable energy production"),
        "ghg_estimated_t": _l("estimated GHG emissions reduction"),
    },
    "cdp": {
        "com_sector": _l("mitigation action category"),
        "com_area": _l("action type"),
        "status": _l("implementation status"),
        "start_year": _l("start year"),
        "end_year": _l("expected completion year"),
        "costs": _l("total cost"),
        "ghg_estimated_t": _l("estimated emissions reduction"),
    },
}


def need_label(framework: str, name: str) -> str:
    return str(NEED_LABELS.get(framework, {}).get(name, name))


def framework_label(field: str, code: str | None) -> str:
    """A framework code (a Covenant sector, a funding source) in words; empty for none."""
    if code is None:
        return ""
    return str(FRAMEWORK_LABELS.get(field, {}).get(code, code))


CODE_LABELS = {
    # what a round's snapshot holds
    "action": _l("action"),
    "indicator": _l("indicator"),
    "milestone": _l("milestone"),
    "done": _l("done"),
    "not_recorded": _l("not recorded as done"),
    "overdue": _l("overdue"),
    "due_soon": _l("due soon"),
    "upcoming": _l("upcoming"),
    "on_time": _l("on time"),
    "late": _l("late"),
    "not_started": _l("not started"),
    "mentor": _l("mentor"),
    "core": _l("core"),
    "observer": _l("observer"),
    "planned": _l("planned"),
    "in_preparation": _l("in preparation"),
    "signed": _l("signed"),
    "implementing": _l("implementing"),
    "completed": _l("completed"),
    "on_track": _l("on track"),
    "at_risk": _l("at risk"),
    "delayed": _l("delayed"),
    "cancelled": _l("cancelled"),
    "viewer": _l("viewer"),
    "editor": _l("editor"),
    "lead": _l("programme lead"),
    "admin": _l("administrator"),
    "sme": _l("SME"),
    "large_company": _l("large company"),
    "university": _l("university"),
    "research": _l("research institute"),
    "association": _l("association"),
    "public_body": _l("public body"),
    "municipal_company": _l("municipal company"),
    "other": _l("other"),
    # Review before publishing: a report's state, and the kinds of report in the queue.
    "submitted": _l("awaiting review"),
    "approved": _l("approved"),
    "returned": _l("returned"),
    "review_progress": _l("progress update"),
    "review_indicator": _l("indicator value"),
    "review_milestone": _l("milestone report"),
}


# A city's membership of a programme, by its role, as a sentence of the page.
MEMBERSHIPS = {
    "mentor": _l("Mentor city of %(programme)s since %(date)s"),
    "core": _l("Core city of %(programme)s since %(date)s"),
    "observer": _l("Observer city of %(programme)s since %(date)s"),
}


def membership(role: str, programme: str, joined_on: date) -> str:
    """'Mentor city of Intelligent Cities Challenge 2023-25 since 13 Jul 2023', in the
    request's language."""
    sentence = MEMBERSHIPS.get(role)
    if sentence is None:
        return f"{label(role)}: {programme}"
    return str(sentence) % {"programme": programme, "date": day(joined_on)}


# The shared steps of a Local Green Deal, by their code: a step milestone is called by its step.
STEP_TITLES = {
    "team-set-up": _l("Team set up"),
    "commitments-identified": _l("Commitments identified"),
    "partners-engaged": _l("Partners engaged"),
    "deal-signed": _l("Deal signed"),
    "implementation-under-way": _l("Implementation under way"),
}

# The programme's vocabulary, by slug: its sectors and themes in the page's language.
SECTOR_NAMES = {
    "construction-built-environment": _l("Construction and built environment"),
    "energy-renewables": _l("Energy and renewables"),
    "mobility-transport": _l("Mobility and transport"),
    "tourism": _l("Tourism"),
    "culture-creative-industries": _l("Culture and creative industries"),
    "local-retail": _l("Small and local retail"),
    "agri-food": _l("Agri-food"),
    "textiles": _l("Textiles"),
    "funding": _l("Funding"),
    "procurement": _l("Procurement"),
    "reskilling": _l("Reskilling"),
    "social-economy": _l("Social economy"),
}


def named(slug: str | None, name: str | None = None) -> str:
    """A sector or theme by its slug, in the request's language (its stored name otherwise)."""
    if slug in SECTOR_NAMES:
        return str(SECTOR_NAMES[slug])
    return name or slug or ""


def sector_list(slugs: str | None) -> str:
    """Sectors given as slugs joined by commas, named in the request's language, in the order
    of their names (the database joins them in whatever order it reads them: after a restore
    PostgreSQL read them in another)."""
    return ", ".join(sorted(named(slug) for slug in (slugs or "").split(",") if slug))


REMINDER_LABELS = {"daily": _l("daily"), "weekly": _l("weekly"), "none": _l("never")}


def reminder_label(code: str | None) -> str:
    """How often a person's reminders come, in words."""
    return str(REMINDER_LABELS.get(code or "", code or ""))


def _said(kind: str, labels: dict[str, Any], code: str) -> str:
    """`labels[code]` (a lazy translation) in the language being written, translated once per
    language and kept (a page of the cohort words a state in each of its hundreds of cells)."""
    return kept_words(kind, code, lambda: str(labels[code]))


def label(code: str | None) -> str:
    """A stored code (a milestone state, a role, a kind) as words: due_soon is "due soon".
    Action statuses have their own labels above (STATUS_LABELS), shown by status_badge."""
    if code is None:
        return ""
    return _said("code", CODE_LABELS, code) if code in CODE_LABELS else code.replace("_", " ")


def status_label(code: str | None) -> str:
    """An action's status as its badge words it (On track, Delayed)."""
    if code is None:
        return ""
    return _said("status", STATUS_LABELS, code) if code in STATUS_LABELS else label(code)


def number(value: float | None, digits: int = 1) -> str:
    """A measured figure in the request's language, to `digits` places without trailing zeros
    (1,234.5 or 1.234,5; 12; 0.3 or 0,3); a dash for no figure."""
    if value is None:
        return NO_FIGURE
    return written_number(value, digits)


def percent(value: float | None, digits: int = 0) -> str:
    """A share in percent in the request's language (45 %; 5.6 % or 5,6 %); a dash for none."""
    if value is None:
        return NO_FIGURE
    return written_number(value, digits) + "\u00a0%"


def averaged(average: float | None, reporting: int, total: int) -> str:
    """An average percent with its base: how many items it averages and how many have no
    figure yet ("56 % on average over 1 reporting action; 2 not reporting yet")."""
    if not total:
        return str(_l("no actions"))
    if not reporting or average is None:
        return ngettext(
            "no report yet from its %(num)d action", "no report yet from its %(num)d actions", total
        )
    said = ngettext(
        "%(percent)s on average over %(num)d reporting action",
        "%(percent)s on average over %(num)d reporting actions",
        reporting,
        percent=percent(average),
    )
    if total > reporting:
        said += ngettext(
            "; %(num)d not reporting yet", "; %(num)d not reporting yet", total - reporting
        )
    return said


def titled(record: object) -> str:
    """A plan's, an action's or a milestone's title, or an indicator's name, in the request's
    language: its German (local) title in German where it has one, its English one otherwise.
    A milestone that is one of the shared deal steps is called by its step; a sector or theme
    by its vocabulary."""
    from tracker.i18n import language
    from tracker.models import Sector, Theme

    step = getattr(record, "lgd_step", None)
    if step in STEP_TITLES:
        return str(STEP_TITLES[step])
    if isinstance(record, Sector | Theme):
        return named(record.slug, record.name)
    local = getattr(record, "local_title", None) or getattr(record, "local_name", None)
    own = getattr(record, "title", None) or getattr(record, "name", "")
    return str(local if local and language() == "de" else own)


def other_title(record: object) -> str:
    """The title `titled` did not show, when there is one that differs; else nothing."""
    other = {getattr(record, "title", None), getattr(record, "local_title", None)}
    other.discard(titled(record))
    other.discard(None)
    other.discard("")
    return str(other.pop()) if other else ""


def cell(value: object) -> str:
    """A table's cell as a page shows it: dates and decimals written for the language, a web
    address as a link named by its host (the same table's CSV keeps them ISO, plain and
    whole)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        host = urlsplit(value).hostname or value
        return Markup('<a href="{}" rel="noreferrer">{}</a>').format(value, host)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, date | datetime):
        return day(value)
    if isinstance(value, float):
        return number(value)
    return str(value)


def day(value: date | datetime | None) -> str:
    """A date in the request's language (23 Nov 2023, 23.11.2023); nothing for no date."""
    return written_date(value)


def month(value: date | datetime | None) -> str:
    """A month in the request's language (June 2024, Juni 2024), for a date known to the month."""
    return written_month(value)


# The template filters this module gives the app (create_app registers each).
FILTERS = (
    "cell",
    "day",
    "label",
    "month",
    "number",
    "other_title",
    "percent",
    "reminder_label",
    "sector_list",
    "status_label",
    "titled",
)
