"""The flask commands: seed (idempotent, all or nothing) and users create."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import row_counts
from tracker.extensions import db
from tracker.models.audit import AuditEvent
from tracker.models.city import City, Mentorship
from tracker.models.plan import Action, Indicator, IndicatorValue, Partner, Plan
from tracker.models.programme import Milestone
from tracker.models.progress import ProgressUpdate
from tracker.models.user import User

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_seed_twice_changes_nothing(runner):
    before = row_counts()
    for _ in range(2):
        result = runner.invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        assert "Nothing changed." in result.output
        assert row_counts() == before


def test_seed_restores_an_edited_fact(runner):
    city = db.session.scalar(sa.select(City).where(City.slug == "dortmund"))
    city.name = "Dortmund (edited)"
    db.session.commit()
    result = runner.invoke(args=["seed"])
    assert "cities: 0 created, 1 updated" in result.output
    db.session.refresh(city)
    assert city.name == "Dortmund"


def test_seed_demo_is_marked_idempotent_and_its_accounts_sign_in(runner, client):
    before = row_counts()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    after_first = row_counts()
    assert after_first["mentorships"] > 0
    assert after_first["progress_updates"] > 0
    assert after_first["cities"] == before["cities"]  # demo data invents no city

    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "Nothing changed." in second.output
    assert row_counts() == after_first

    # Every record the demo added is marked as demo; the facts stay as they were.
    for model in (
        Mentorship,
        Plan,
        Partner,
        Action,
        Milestone,
        ProgressUpdate,
        Indicator,
        IndicatorValue,
        User,
    ):
        facts = db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.is_demo.is_(False))
        )
        assert facts == before[model.__tablename__], model.__tablename__

    accounts = tomllib.loads((SEEDS / "demo" / "demo.toml").read_text())["accounts"]
    assert {a["role"] for a in accounts} == {"admin", "lead", "editor", "viewer"}
    for account in accounts:
        response = client.post(
            "/auth/login", data={"email": account["email"], "password": account["password"]}
        )
        assert response.status_code == 302, account["email"]
        page = client.get("/")
        assert page.status_code == 200
        assert "demo" in page.get_data(as_text=True)
        client.post("/auth/logout")
    editor = db.session.scalar(sa.select(User).where(User.role == "editor"))
    assert editor.city.slug == "dortmund"


def copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def test_malformed_toml_stops_with_file_and_line_and_changes_nothing(runner, tmp_path):
    seeds = copy_seeds(tmp_path)
    broken = seeds / "icc-2023-25" / "programme.toml"
    broken.write_text(broken.read_text().replace('name = "Intelligent', 'name == "Intelligent'))
    before = row_counts()
    result = runner.invoke(args=["seed", "--dir", str(seeds)])
    assert result.exit_code == 1
    assert str(broken) in result.output
    assert "line" in result.output
    assert row_counts() == before


def test_a_bad_record_late_in_the_load_undoes_the_earlier_records(runner, tmp_path):
    seeds = copy_seeds(tmp_path)
    cities = seeds / "icc-2023-25" / "cities.toml"
    cities.write_text(
        cities.read_text() + '\n[[cities]]\nslug = "new-town"\nname = "New Town"\n'
        'country = "DE"\nsource = "https://example.org"\n'
    )
    dortmund = seeds / "icc-2023-25" / "dortmund.toml"
    dortmund.write_text(
        dortmund.read_text() + "\n[[indicator_values]]\n"
        'indicator = "dortmund/klima-sofortprogramm/municipal-roofs-solar/nope"\n'
        'measured_on = 2024-01-01\nvalue = 1\nsource = "ROOFS"\n'
    )
    before = row_counts()
    result = runner.invoke(args=["seed", "--dir", str(seeds)])
    assert result.exit_code == 1
    assert str(dortmund) in result.output
    assert "[[indicator_values]]" in result.output
    assert "no such indicator" in result.output
    assert row_counts() == before
    assert db.session.scalar(sa.select(City).where(City.slug == "new-town")) is None


def test_a_broken_demo_file_changes_nothing(runner, tmp_path):
    seeds = copy_seeds(tmp_path)
    demo = seeds / "demo" / "demo.toml"
    demo.write_text(demo.read_text().replace('role = "viewer"', 'role = "spectator"'))
    before = row_counts()
    result = runner.invoke(args=["seed", "--demo", "--dir", str(seeds)])
    assert result.exit_code == 1
    assert str(demo) in result.output
    assert "spectator" in result.output
    assert row_counts() == before


def test_users_create_editor_with_password_from_stdin(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Anna@Example.org",
            "--role",
            "editor",
            "--city",
            "dortmund",
            "--name",
            "Anna",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "anna@example.org"))
    assert (user.role, user.city.slug, user.name) == ("editor", "dortmund", "Anna")
    assert user.password_hash.startswith("scrypt:")
    assert "a long enough password" not in user.password_hash
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.create"))
    assert event.after["email"] == "anna@example.org"
    assert "password" not in event.after
    response = client.post(
        "/auth/login", data={"email": "anna@example.org", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_users_create_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["users", "create", "lead@example.org", "--role", "lead"],
        input="prompted password 1\nprompted password 1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "lead@example.org"))
    assert user.check_password("prompted password 1")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (
            ["ed@example.org", "--role", "editor"],
            "a long enough password",
            "An editor works for one city",
        ),
        (
            ["v@example.org", "--role", "viewer", "--city", "dortmund"],
            "a long enough password",
            "takes none",
        ),
        (
            ["ed@example.org", "--role", "editor", "--city", "atlantis"],
            "a long enough password",
            "No city with the slug 'atlantis'",
        ),
        (["v@example.org", "--role", "viewer"], "short", "at least 12 characters"),
        (["not-an-email", "--role", "viewer"], "a long enough password", "not a valid e-mail"),
        (["v@example.org", "--role", "superuser"], "a long enough password", "superuser"),
    ],
)
def test_users_create_refuses_bad_arguments_and_stores_nothing(runner, args, password, message):
    before = row_counts()
    result = runner.invoke(
        args=["users", "create", *args, "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code == 2
    assert message in result.output
    assert row_counts() == before


def test_users_create_refuses_a_duplicate_email(runner):
    args = ["users", "create", "dup@example.org", "--role", "viewer", "--password-stdin"]
    assert runner.invoke(args=args, input="a long enough password\n").exit_code == 0
    before = row_counts()
    result = runner.invoke(
        args=[*args[:2], "DUP@example.org", *args[3:]], input="another password!\n"
    )
    assert result.exit_code == 2
    assert "exists already" in result.output
    assert row_counts() == before


def test_users_token_prints_a_working_token_once(runner, client):
    runner.invoke(
        args=["users", "create", "t@example.org", "--role", "viewer", "--password-stdin"],
        input="a long enough password\n",
    )
    result = runner.invoke(args=["users", "token", "t@example.org", "--name", "reporting"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    missing = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert missing.exit_code == 2
    assert "No account" in missing.output
