"""The ICC 2023-25 facts as loaded from seeds/, and the loader's refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models.city import City, Mentorship, Participation
from tracker.models.plan import Action, Indicator, IndicatorValue, Plan, PlanTarget
from tracker.models.programme import Milestone, Phase, Programme, Sector, Theme
from tracker.seeding import SeedError, load_records, read_records

KICK_OFF = date(2023, 7, 27)
FIRST_IMPLEMENTATION_LAB = date(2024, 3, 21)
MENTORS = {
    "aalborg",
    "aarhus",
    "amsterdam",
    "dortmund",
    "gothenburg",
    "espoo",
    "lisbon",
    "mannheim",
    "porto",
    "toronto",
}
# Every core city the facts file marks VERIFIED: Catanzaro since its second pass settled the
# conflict with Catania; Szombathely is named by its own site in February 2024.
CORE_2023 = {
    "catanzaro",
    "alcoy",
    "almeria",
    "benidorm",
    "castelldefels",
    "castellon-de-la-plana",
    "collado-villalba",
    "granada",
    "ibiza",
    "las-rozas-de-madrid",
    "molina-de-segura",
    "sant-cugat-del-valles",
    "zaragoza",
    "busto-arsizio",
    "campobasso",
    "florence",
    "legnano",
    "mantua",
    "pescara",
    "sweden-emilia-romagna-network",
    "grecia-salentina",
    "braga",
    "camara-de-lobos",
    "guimaraes",
    "valongo",
    "bamberg",
    "gelsenkirchen",
    "heidelberg",
    "pula",
    "chalkida",
    "central-corfu",
    "heraklion",
    "kalamata",
    "larissa",
    "patras",
    "thessaloniki",
    "trikala",
    "tripoli",
    "cluj-napoca",
    "galati",
    "cork",
    "limerick",
    "north-west-ireland-city-region",
    "gdansk",
    "poznan",
    "sofia",
    "nicosia",
    "paris-saclay",
    "pori",
}
CORE_2024 = {"arteixo", "larnaca", "pesaro", "saint-germain", "san-benedetto-del-tronto"}
SZOMBATHELY_SITE = date(2024, 2, 15)
OBSERVERS = {"istanbul", "lviv", "novovolynsk", "rivne", "vinnytsia", "pristina", "skopje"}
AMBASSADORS = {
    "alcoy",
    "pori",
    "busto-arsizio",
    "north-west-ireland-city-region",
    "las-rozas-de-madrid",
    "poznan",
    "trikala",
    "sweden-emilia-romagna-network",
    "sant-cugat-del-valles",
}


def participations(role: str) -> dict[str, date]:
    rows = db.session.execute(
        sa.select(City.slug, Participation.joined_on)
        .join(Participation.city)
        .where(Participation.role == role)
    )
    return dict(rows.all())


def test_ten_mentors_by_the_kick_off_and_trento_from_march_2024(app):
    mentors = participations("mentor")
    assert {slug for slug, joined in mentors.items() if joined <= KICK_OFF} == MENTORS
    assert mentors["trento"] == FIRST_IMPLEMENTATION_LAB
    assert len(mentors) == 11


def test_every_verified_core_city_and_the_2024_joiners(app):
    core = participations("core")
    assert set(core) == CORE_2023 | CORE_2024 | {"szombathely"}
    assert {
        slug for slug, joined in core.items() if joined == FIRST_IMPLEMENTATION_LAB
    } == CORE_2024
    assert core["szombathely"] == SZOMBATHELY_SITE
    assert "catania" not in core


def test_observers_and_communications_ambassadors(app):
    assert set(participations("observer")) == OBSERVERS
    ambassadors = db.session.scalars(
        sa.select(City.slug)
        .join(Participation.city)
        .where(Participation.is_communications_ambassador)
    )
    assert set(ambassadors) == AMBASSADORS


def test_programme_figures_and_phases(app):
    programme = db.session.scalar(sa.select(Programme))
    assert (
        programme.slug,
        programme.declared_core_cities,
        programme.declared_mentor_cities,
        programme.lgd_target,
    ) == ("icc-2023-25", 64, 10, 175)
    assert [p.slug for p in programme.phases] == ["strategy-refresh", "implementation", "review"]


def test_programme_milestones_with_their_dates(app):
    milestones = {
        m.slug.split("/", 1)[1]: m
        for m in db.session.scalars(sa.select(Milestone).where(Milestone.programme_id.is_not(None)))
    }
    assert milestones["eoi-call-opens"].due_on == date(2023, 3, 1)
    assert milestones["eoi-deadline"].planned_on == date(2023, 4, 28)
    assert milestones["eoi-deadline"].due_on == date(2023, 5, 31)
    assert milestones["selection-announced"].due_on == date(2023, 7, 11)
    assert milestones["kick-off-webinar"].due_on == KICK_OFF
    lab = milestones["strategy-lab"]
    assert (lab.due_on, lab.ends_on, lab.location) == (
        date(2023, 11, 23),
        date(2023, 11, 24),
        "Brussels",
    )
    assert milestones["implementation-lab-1"].due_on == FIRST_IMPLEMENTATION_LAB
    assert milestones["implementation-lab-2"].due_on == date(2024, 6, 18)
    end = milestones["programme-end"]
    assert (end.due_on, end.date_precision, end.completed_on) == (date(2025, 5, 31), "month", None)
    assert milestones["lgd-target"].completed_on is None


def test_sectors_and_themes(app):
    sectors = {s.slug: s for s in db.session.scalars(sa.select(Sector))}
    assert len(sectors) == 8
    assert {s for s, row in sectors.items() if row.has_expert} == {
        "construction-built-environment",
        "energy-renewables",
        "mobility-transport",
        "tourism",
        "culture-creative-industries",
    }
    assert {s for s, row in sectors.items() if row.tier == "key"} == {
        "construction-built-environment",
        "energy-renewables",
        "mobility-transport",
    }
    assert set(db.session.scalars(sa.select(Theme.slug))) == {
        "funding",
        "procurement",
        "reskilling",
        "social-economy",
    }


def test_dortmund_klima_sofortprogramm_has_exactly_its_four_measures(app):
    plan = db.session.scalar(sa.select(Plan).where(Plan.slug == "klima-sofortprogramm"))
    assert plan.kind == "climate_programme"
    assert plan.started_on == date(2021, 5, 18)
    assert [a.title for a in plan.actions] == [
        "Intensive programme to use municipal roofs for solar energy",
        "Heat-use strategy",
        "Sustainability network",
        "Dortmund fund for climate-protection investments",
    ]
    # Nobody has reported on them: no status is claimed.
    assert {a.status for a in plan.actions} == {None}


def test_dortmund_action_programme_targets_and_figures(app):
    plan = db.session.scalar(
        sa.select(Plan).where(Plan.slug == "handlungsprogramm-klima-luft-2030")
    )
    targets = {t.slug: t for t in plan.targets}
    assert (targets["ghg-2030"].value, targets["ghg-2030"].target_year) == (-55, 2030)
    assert targets["climate-neutrality"].target_year == 2035
    assert len(plan.actions) == 6
    assert "Klimabeirat" in plan.governance
    values = dict(
        db.session.execute(
            sa.select(Indicator.unit, IndicatorValue.value).join(IndicatorValue.indicator)
        ).all()
    )
    assert values == {"kWp": 200, "%": 5.6}


def test_facts_hold_no_demo_data_and_nothing_not_found(app):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentorship)) == 0
    # The one Local Green Deal a source describes: Pescara's, the first core city to sign.
    deals = db.session.scalars(sa.select(Plan).where(Plan.kind == "local_green_deal")).all()
    assert [(d.city.slug, d.status, d.signed_on, len(d.partners)) for d in deals] == [
        ("pescara", "signed", None, 6)
    ]


@pytest.mark.parametrize(
    "model",
    [
        Programme,
        Phase,
        Sector,
        Theme,
        City,
        Participation,
        Plan,
        PlanTarget,
        Action,
        Indicator,
        IndicatorValue,
        Milestone,
    ],
)
def test_every_fact_record_carries_its_source_address(app, model):
    rows = db.session.execute(sa.select(model.source_url, model.is_demo)).all()
    assert rows
    for source_url, is_demo in rows:
        assert not is_demo
        assert source_url
        assert source_url.startswith(("https://", "http://"))


# The loader's refusals ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> None:
    load_records(read_records([write(tmp_path, text)]), is_demo=False)


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ('[[cities]]\nslug = "x"\nname = \n', "invalid TOML", "line 3"),
        ('[[towns]]\nslug = "x"\n', "[[towns]]", "unknown table"),
        (
            '[[cities]]\nslug = "x"\nname = "X"\ncountry = "DE"\n'
            'source = "https://e.org"\nmayor = "Y"\n',
            "[[cities]] #1 (slug='x')",
            "unknown field(s) mayor",
        ),
        (
            '[[cities]]\nslug = "x"\ncountry = "DE"\nsource = "https://e.org"\n',
            "[[cities]] #1 (slug='x')",
            "name is required",
        ),
        (
            '[[cities]]\nslug = "x"\nname = "X"\ncountry = "DE"\n',
            "[[cities]] #1 (slug='x')",
            "source is required",
        ),
        (
            '[[cities]]\nslug = "x"\nname = "X"\ncountry = "DE"\nsource = "NOKEY"\n',
            "[[cities]] #1 (slug='x')",
            "source must be an http(s) address",
        ),
        (
            '[[cities]]\nslug = "x"\nname = "X"\ncountry = "DE"\n'
            'latitude = "north"\nlongitude = 1\n'
            'source = "https://e.org"\n',
            "[[cities]] #1 (slug='x')",
            "latitude must be a number",
        ),
        (
            '[[participations]]\nprogramme = "icc-2023-25"\ncity = "atlantis"\nrole = "core"\n'
            'joined_on = 2023-07-11\nsource = "https://e.org"\n',
            "[[participations]] #1 (city='atlantis')",
            "city 'atlantis': no such city",
        ),
        (
            '[[participations]]\nprogramme = "icc-2023-25"\ncity = "bamberg"\nrole = "core"\n'
            'joined_on = "yesterday"\nsource = "https://e.org"\n',
            "[[participations]] #1 (city='bamberg')",
            "joined_on must be a date",
        ),
        (
            '[[actions]]\nplan = "dortmund"\nslug = "a"\ntitle = "A"\nsource = "https://e.org"\n',
            "[[actions]] #1 (slug='a')",
            "plan must look like 'city/plan'",
        ),
        (
            '[[cities]]\nslug = "x"\nname = "X"\ncountry = "DE"\nlatitude = 95.0\nlongitude = 1.0\n'
            'source = "https://e.org"\n',
            "[[cities]] #1 (slug='x')",
            "the database refused it",
        ),
        (  # a seeded report keeps the rules every other door keeps, in the same words
            '[[progress_updates]]\naction = "dortmund/klima-sofortprogramm/municipal-roofs-solar"'
            '\nreported_on = 2024-05-01\nstatus = "done"\npercent_complete = 90\n'
            'source = "https://e.org"\n',
            "[[progress_updates]] #1",
            "percent_complete: An action that is done is 100 percent complete.",
        ),
        (
            '[[progress_updates]]\naction = "dortmund/klima-sofortprogramm/municipal-roofs-solar"'
            '\nreported_on = 2024-05-01\nstatus = "finished"\npercent_complete = 10\n'
            'source = "https://e.org"\n',
            "[[progress_updates]] #1",
            "status: must be one of not_started, on_track",
        ),
    ],
)
def test_a_malformed_record_is_named_with_its_file_and_reason(app, tmp_path, text, where, reason):
    with pytest.raises(SeedError) as caught:
        load_text(tmp_path, text)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "bad.toml"))
    assert where in message
    assert reason in message


def test_seeding_again_keeps_a_correction_of_a_demo_report_and_the_present(demo_app):
    from tracker.demo import load_demo
    from tracker.models import Action, ProgressUpdate
    from tracker.services import progress
    from tracker.services.accounts import CommandLineActor

    original = db.session.scalars(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.action_id.is_not(None))
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc())
    ).first()
    action = db.session.get(Action, original.action_id)
    correction = progress.log_progress(
        CommandLineActor(),
        action,
        progress.ProgressReport(
            status="delayed",
            percent_complete=max(0, original.percent_complete - 5),
            note="The demo figure was too high",
            corrects_id=original.id,
        ),
        today=date.today(),
    )
    db.session.commit()
    state = (action.status, action.percent_complete)
    assert state == ("delayed", correction.percent_complete)

    report = load_demo(Path(demo_app.config["SEEDS_DIR"]))
    db.session.commit()
    assert report.updated["progress_updates"] == 0
    db.session.expire_all()
    kept = db.session.get(ProgressUpdate, correction.id)
    assert (kept.status, kept.note) == ("delayed", "The demo figure was too high")
    assert (db.session.get(Action, action.id).status, action.percent_complete) == state
