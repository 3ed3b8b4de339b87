"""Flask commands: seed, users."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker import assets, cache, mail
from tracker import config as settings
from tracker.config import PROJECT_ROOT
from tracker.database import run_again_when_aborted, writing
from tracker.demo import load_demo
from tracker.domain.errors import Invalid
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import ImportBatch, User, UserSession
from tracker.models.user import USER_ROLES
from tracker.seeding import SeedError, SeedReport, load_facts
from tracker.services import account_links, accounts, backups, mail_worker, submissions, tokens
from tracker.services import imports as importing
from tracker.services import reminders as service
from tracker.services.accounts import CommandLineActor
from tracker.services.overdue import advance as date_overdue_counts
from tracker.services.sign_in import session_cutoff

users = AppGroup("users", help="Manage user accounts.")


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load the illustrative demo data and accounts.")
@click.option(
    "--dir",
    "seeds_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The seeds folder (default: the project's seeds/).",
)
def seed_command(demo: bool, seeds_dir: Path | None) -> None:
    """Load the ICC 2023-25 facts (and, with --demo, demo data); safe to run again."""
    seeds_dir = seeds_dir or Path(current_app.config["SEEDS_DIR"])
    try:
        with writing():
            report = load_facts(seeds_dir)
            if demo:
                demo_report = load_demo(seeds_dir)
                for counter in ("created", "updated", "unchanged"):
                    getattr(report, counter).update(getattr(demo_report, counter))
            db.session.commit()
    except SeedError as exc:
        db.session.rollback()
        click.echo(f"Seed failed, nothing was changed: {exc}", err=True)
        sys.exit(1)
    _echo_report(report)


def _echo_report(report: SeedReport) -> None:
    for line in report.lines():
        click.echo(line)
    click.echo("Nothing changed." if report.changed == 0 else f"{report.changed} records changed.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
@click.option("--city", "city_slug", help="The editor's city (slug); editors only.")
@click.option("--name", help="The name shown in the app.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@click.option(
    "--invite",
    is_flag=True,
    help="No password: e-mail the person a link to choose their own (valid 72 hours).",
)
@click.option(
    "--language",
    type=click.Choice(["en", "de"]),
    help="The person's language, and so their invitation's (default: their browser's; "
    "an invitation in English).",
)
def create_user_command(
    email: str,
    role: str,
    city_slug: str | None,
    name: str | None,
    password_stdin: bool,
    invite: bool,
    language: str | None,
) -> None:
    """Create an account. The password is asked for, read from standard input, or chosen by
    the person through an invitation (--invite)."""
    if invite and password_stdin:
        raise click.UsageError("Choose --invite or --password-stdin, not both.")
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with writing():
            user = accounts.create_user(
                None,
                email=email,
                password=password,
                role=role,
                city_slug=city_slug,
                name=name,
                actor_label="cli",
                language=language,
            )
            if invite:
                account_links.invite(None, user, actor_label="cli")
            db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from exc
    except mail.MailError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The invitation could not be sent ({exc}); nothing was saved."
        ) from exc
    click.echo(f"Created {user.role} {user.email}" + (f" for {city_slug}" if city_slug else ""))
    if invite:
        done = "sent" if mail.to_server() else mail.where_written()
        if current_app.config["MAIL_DELIVERY"] == "worker":
            done = "recorded: the mail worker sends it"
        click.echo(f"Invitation to {user.email} {done}.")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def token_command(email: str, name: str) -> None:
    """Issue an API token for an account and print it (it is shown only this once)."""
    with writing():
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.UsageError(f"No account with the e-mail {email}.")
        try:
            token = tokens.issue_token(None, user, name, actor_label="cli")
        except Invalid as exc:
            db.session.rollback()
            raise click.UsageError(exc.message) from exc
        db.session.commit()
    click.echo(token)


@users.command("review")
@click.argument("email")
@click.argument("city_slug")
@click.option("--revoke", is_flag=True, help="Take the permission back.")
def review_command(email: str, city_slug: str, revoke: bool) -> None:
    """Grant an account the review permission for one city (leads and administrators review
    every city without it), or take it back with --revoke."""
    with writing():
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.UsageError(f"No account with the e-mail {email}.")
        try:
            changed = accounts.grant_review(None, user, city_slug, revoke=revoke)
        except Invalid as exc:
            db.session.rollback()
            raise click.UsageError(exc.message) from exc
        db.session.commit()
    what = "no longer reviews" if revoke else "reviews"
    click.echo(f"{user.email} {what} {city_slug}." + ("" if changed else " (no change)"))


imports = AppGroup("import", help="Import progress updates, actions or partners (CSV or XLSX).")


def _import_command(kind: str) -> click.Command:
    @imports.command(kind)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--user",
        "email",
        help="Act as this account (its city limits apply). Without it, the import acts as the "
        "operator at the command line, with programme-wide rights, recorded as 'cli'.",
    )
    def command(file: Path, email: str | None) -> None:
        done = run_again_when_aborted(lambda: _import_once(kind, file, email), db.session.rollback)
        click.echo(
            f"{file}: {done.created} created, {done.updated} updated, {done.unchanged} unchanged."
        )

    command.__doc__ = f"Import {kind} from FILE: all rows or none."
    return command


def _import_once(kind: str, file: Path, email: str | None) -> importing.ImportResult:
    """Import every row of `file` in one transaction, committed, or exit with what was wrong
    (a transaction the database aborted for a deadlock with another writer is run again)."""
    with writing():
        user: Actor = CommandLineActor()
        if email is not None:
            account = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
            if account is None or not account.is_active:
                raise click.UsageError(f"No active account with the e-mail {email}.")
            user = account
        try:
            result = importing.import_table(
                user,
                kind,
                file.name,
                file.read_bytes(),
                today=date.today(),
                limits=importing.UploadLimits.from_config(current_app.config),
            )
        except Invalid as exc:
            db.session.rollback()
            raise click.UsageError(exc.message) from exc
        except importing.ImportRejected as exc:
            db.session.rollback()
            click.echo(f"{file}: nothing imported; fix these rows:", err=True)
            for error in exc.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
        db.session.commit()
    return result


for _kind in importing.IMPORT_KINDS:
    _import_command(_kind)


def deleted(statement: sa.Delete) -> int:
    """Run a DELETE and say how many rows it removed."""
    return cast("sa.CursorResult[Any]", db.session.execute(statement)).rowcount


@click.command("prune")
def prune_command() -> None:
    """Delete ended sign-ins and unconfirmed uploads; date overdue counts today (cron-safe)."""
    batch_cutoff = datetime.now(UTC) - timedelta(
        hours=current_app.config["IMPORT_BATCH_MAX_AGE_HOURS"]
    )
    with writing():
        sessions = deleted(sa.delete(UserSession).where(UserSession.created_at < session_cutoff()))
        batches = deleted(sa.delete(ImportBatch).where(ImportBatch.created_at < batch_cutoff))
        keys = submissions.prune(current_app.config["SUBMISSION_KEEP_HOURS"])
        days = date_overdue_counts(date.today())
        db.session.commit()
    click.echo(
        f"Removed {sessions} ended sign-ins, {batches} unconfirmed uploads and {keys} "
        f"submission keys older than the time they are kept; overdue counts {days} days on."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Write a checked, consistent backup of the database to PATH (safe while the app runs),
    readable by its owner only; an existing PATH is refused unless --force."""
    try:
        manifest = backups.backup(db.engine, path, db.metadata, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables "
        f"(schema {manifest.revision}) to {path}."
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Replace the database with the backup in PATH, after checking its integrity, schema
    revision and row counts; a refused file leaves the database as it was."""
    head = backups.head_revision(PROJECT_ROOT / "migrations")
    try:
        manifest = backups.restore(db.engine, path, db.metadata, head)
    except backups.BackupError as exc:
        raise click.ClickException(f"Nothing was restored: {exc}") from exc
    cache.new_epoch(db.engine)
    click.echo(
        f"Restored {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables "
        f"from the backup of {manifest.created_at}."
    )


@click.command("assets")
def assets_command() -> None:
    """Build the static files: hashed names, gzip and brotli copies (make install runs it)."""
    folder = Path(current_app.config["ASSETS_DIR"])
    manifest = assets.build(folder, quiet=True)
    click.echo(f"{len(manifest)} assets in {folder}.")


reminders = AppGroup("reminders", help="Reminders by e-mail (for cron or a systemd timer).")


@reminders.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to remind about (default: today).",
)
@click.option(
    "--queue",
    is_flag=True,
    help="Only decide and record the messages; a later run (or a mail worker) delivers them.",
)
def send_reminders_command(today: datetime | None, queue: bool) -> None:
    """Decide today's reminders, record them, and send every recorded message not yet sent.
    Run it as often as you like: a period's messages are decided once. Exits 1 if any message
    could not be sent (it stays recorded and goes with the next run). It says "sent" only for
    what a mail server accepted: without TRACKER_MAIL_URL messages are written to the outbox."""
    day = today.date() if today else date.today()
    with writing():
        decided = service.decide(day)
        db.session.commit()
    click.echo(f"{len(decided)} new message(s) decided for {day.isoformat()}.")
    if queue:
        click.echo(f"{len(decided)} queued: recorded, to be delivered by a later run.")
        return
    delivery = service.deliver()
    done = "sent" if mail.to_server() else mail.where_written()
    for row in delivery.sent:
        click.echo(f"{done}: {row.kind} {row.period} to {row.user.email}")
    for row in delivery.failed:
        click.echo(f"NOT sent: {row.kind} {row.period} to {row.user.email}: {row.last_error}")
    click.echo(f"{len(delivery.sent)} {done}, {len(delivery.failed)} not sent.")
    if delivery.failed:
        raise click.ClickException(
            f"{len(delivery.failed)} message(s) could not be sent; they stay recorded and go "
            "with the next run."
        )


@click.command("check")
@click.option(
    "--workers",
    type=click.IntRange(1, 1000),
    default=lambda: int(os.environ.get("WEB_CONCURRENCY", "1")),
    show_default="WEB_CONCURRENCY, else 1",
    help="Processes that serve the app on each host.",
)
@click.option("--hosts", type=click.IntRange(1, 1000), default=1, show_default=True)
@with_appcontext
def check_command(workers: int, hosts: int) -> None:
    """Check the configuration for production: name each problem and exit 1 if there is one;
    what merely looks odd is a warning (exit 0). Nothing is connected to or changed."""
    problems = settings.production_problems(current_app.config, workers=workers, hosts=hosts)
    for line in problems:
        click.echo(f"problem: {line}")
    for line in settings.production_warnings(current_app.config):
        click.echo(f"warning: {line}")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s): not ready for production.")
    click.echo("No problem found.")


mail_group = AppGroup("mail", help="Outgoing mail.")


@mail_group.command("work")
@click.option("--once", is_flag=True, help="Deliver what waits now, then stop.")
@click.option(
    "--poll",
    type=click.FloatRange(0.1, 3600),
    default=5.0,
    show_default=True,
    help="Seconds between looks for new messages.",
)
def mail_work_command(once: bool, poll: float) -> None:
    """Deliver the recorded messages (invitations, resets, reminders, review notices) until
    stopped (SIGTERM stops it after the message in hand). Several workers may run at once on
    PostgreSQL; on SQLite run one."""
    worker = mail_worker.Worker(poll_seconds=poll)
    where = "sent" if mail.to_server() else mail.where_written()
    if once:
        worker.run_once()
    else:
        worker.stop_on_signals()
        click.echo(f"Mail worker started: messages are {where}.", nl=True)
        sys.stdout.flush()
        worker.run()
    click.echo(f"{worker.sent} {where}, {worker.failed} attempt(s) failed.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_group)
    app.cli.add_command(check_command)
    app.cli.add_command(assets_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(users)
    app.cli.add_command(imports)
    app.cli.add_command(reminders)
    app.cli.add_command(prune_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
