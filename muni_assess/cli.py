"""The `muni-assess` command group (also `flask --app muni_assess ...`)."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from muni_assess.config import Defaults


@click.command("validate-content")
@click.option("--path", "path", default=None, help="Questionnaire folder (default: the configured one).")
def validate_content(path: str | None) -> None:
    """Check every questionnaire YAML file and id cross-reference; print each problem with file, line, field."""
    from scoring.content import ContentError, load_content

    root = path or os.environ.get("MUNI_ASSESS_QUESTIONNAIRE_DIR") or Defaults.QUESTIONNAIRE_DIR
    try:
        content = load_content(root)
    except ContentError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        click.echo(f"{len(exc.problems)} problem(s) found in {root}.", err=True)
        sys.exit(1)
    for (set_id, version), qs in sorted(content.sets.items()):
        click.echo(f"{set_id} v{version}: {len(qs.sections)} sections, {len(qs.questions)} questions "
                   f"(sha256 {qs.sha256[:12]})")
    click.echo(f"{len(content.recommendations)} recommendations. Content is valid.")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema by running the Alembic migrations."""
    from muni_assess.dbsetup import migrate_to_latest

    migrate_to_latest()
    click.echo("Database is up to date.")


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create demo accounts (printed) and demo assessments.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load regions and towns for the configured state, check the questionnaires, optionally add demo data."""
    from muni_assess import contentstore
    from muni_assess.extensions import db
    from muni_assess.seed import seed_reference

    state = current_app.config["STATE"]
    regions, towns = seed_reference(state)
    qs = contentstore.current_set()
    db.session.commit()
    click.echo(f"{state}: {regions} regions and {towns} towns. Questionnaire {qs.id} v{qs.version} "
               f"({len(qs.questions)} questions) is ready.")
    if demo:
        from muni_assess.demo import seed_demo

        logins = seed_demo(state, current_app.config["CURRENT_CYCLE"])
        db.session.commit()
        click.echo("\nDemo sign-ins (new random passwords each time you run `seed --demo`):")
        for login in logins:
            click.echo(f"  {login.role:<14} {login.email:<38} {login.password}   ({login.scope})")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["town_editor", "cog_analyst", "state_analyst", "admin"]))
@click.option("--town", default=None, help="For town editors: the town's name exactly as in the reference data.")
@click.option("--region", default=None, help="For COG analysts: the region's short id, e.g. CRCOG or MAPC.")
@click.option("--password", default=None, help="Omit to be prompted (safer: not kept in shell history).")
@with_appcontext
def create_user_command(email: str, role: str, town: str | None, region: str | None, password: str | None) -> None:
    """Create an account. Without --password you are asked for one (twice)."""
    from muni_assess.auth.services import AccountError, create_user
    from muni_assess.extensions import db

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, town=town, region=region, state=current_app.config["STATE"])
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    scope = user.town.name if user.town else (user.region.code if user.region else "all towns")
    click.echo(f"Created {user.role_label} {user.email} ({scope}).")


@click.command("roadmap")
@click.option("--town", default=None, help="The town's name exactly as in the reference data.")
@click.option("--region", default=None, help="A region's short id (e.g. CRCOG): one roadmap per member town.")
@click.option("--cycle", type=int, default=None, help="Assessment year (default: the current cycle).")
@click.option("--out", "out", required=True, type=click.Path(), help="FILE.pdf for --town, a folder for --region.")
@click.option("--jobs", type=int, default=None, help="Processes for a region batch (default: one per core).")
@with_appcontext
def roadmap_command(town: str | None, region: str | None, cycle: int | None, out: str, jobs: int | None) -> None:
    """Write the improvement roadmap PDF of one town, or of every town of a region."""
    from muni_assess.reports import batch

    if bool(town) == bool(region):
        raise click.UsageError("Give exactly one of --town NAME or --region ID.")
    cycle = cycle or current_app.config["CURRENT_CYCLE"]
    try:
        if town:
            path = batch.write_town_roadmap(town, cycle, out)
            click.echo(f"Wrote {path}")
            return
        town_ids = batch.region_town_ids(region)
        with click.progressbar(length=len(town_ids), label=f"{region.upper()} roadmaps") as bar:
            written = batch.write_region_roadmaps(town_ids, cycle, out, jobs, progress=bar.update)
    except batch.BatchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {len(written)} roadmaps to {out}")


COMMANDS = (validate_content, init_db, seed, create_user_command, roadmap_command)


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    from muni_assess import create_app

    return create_app()


class _Group(FlaskGroup):
    """`muni-assess`: runs validate-content without building the app, so broken content can still be checked."""

    def get_command(self, ctx, name):
        if name == "validate-content":
            return validate_content
        return super().get_command(ctx, name)


main = _Group(create_app=_create_app, name="muni-assess", help="muni_assess administration commands.")
