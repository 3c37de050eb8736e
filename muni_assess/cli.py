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
        click.echo("\nThe state analyst and admin accounts must use two-step verification: at their first sign-in "
                   "they are asked to add a setup key to an authenticator app (any TOTP app, or "
                   "`python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\"`). Any account can turn it on "
                   "under “Your account”.")


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


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The backup file to write (a zip; keep it as safe as the database: mode 0600).")
@with_appcontext
def backup_command(out: str) -> None:
    """Write a consistent export of every table (one snapshot) with a manifest of revisions and checksums."""
    from muni_assess.backup import BackupError, write_backup
    from muni_assess.extensions import db

    try:
        manifest = write_backup(db.engine, out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(t["rows"] for t in manifest["tables"])
    click.echo(f"Wrote {out}: {len(manifest['tables'])} tables, {rows} rows, database revision(s) "
               f"{', '.join(manifest['alembic_revisions'])}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(file: str) -> None:
    """Load a backup into an empty database migrated with `init-db` (all or nothing)."""
    from muni_assess.backup import BackupError, restore_backup
    from muni_assess.extensions import db

    try:
        counts = restore_backup(db.engine, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables from {file}.")


def _cli_town(name: str):
    from muni_assess.extensions import db
    from muni_assess.models import Town

    town = db.session.scalar(db.select(Town).where(Town.name == name, Town.state == current_app.config["STATE"]))
    if town is None:
        raise click.ClickException(f"No town named {name!r} in {current_app.config['STATE']}.")
    return town


@click.command("grants")
@click.option("--town", "town_name", required=True, help="The town's name exactly as in the reference data.")
@click.option("--cycle", type=int, default=None, help="Assessment year (default: the current cycle).")
@with_appcontext
def grants_command(town_name: str, cycle: int | None) -> None:
    """List the grant programs of the town's state with fit, eligibility and readiness."""
    from muni_assess.grants import services

    town = _cli_town(town_name)
    fits, _ = services.program_fits(town, cycle or current_app.config["CURRENT_CYCLE"])
    for fit in fits:
        award, match = fit.budget.split
        status = "eligible" if fit.eligible else "NOT ELIGIBLE: " + " ".join(fit.reasons)
        click.echo(f"{fit.program.id:20} {fit.program.name}")
        click.echo(f"  {status}")
        click.echo(f"  funds {len(fit.items)} planned actions; total ${fit.budget.total:,}: program ${award:,}, "
                   f"town ${match:,}" + (f"; {len(fit.budget.missing)} line(s) with no estimate"
                                         if fit.budget.missing else ""))
        ready = ", ".join(f"{'[x]' if c.done else '[?]' if c.done is None else '[ ]'} {c.text}" for c in fit.readiness)
        click.echo(f"  readiness: {ready}")


@click.command("grant-draft")
@click.option("--town", "town_name", required=True, help="The town's name exactly as in the reference data.")
@click.option("--program", "program_id", required=True, help="A program id, e.g. slcgp (see `muni-assess grants`).")
@click.option("--items", default="all", help="all, or planned recommendation ids separated by commas.")
@click.option("--cycle", type=int, default=None, help="Assessment year (default: the current cycle).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.docx or FILE.pdf")
@with_appcontext
def grant_draft_command(town_name: str, program_id: str, items: str, cycle: int | None, out: str) -> None:
    """Write a grant-application draft from the town's current assessment (not a saved draft)."""
    from pathlib import Path

    from muni_assess.documents.files import write_private
    from muni_assess.documents.grant_docs import grant_docx, grant_pdf
    from muni_assess.grants import services

    suffix = Path(out).suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise click.UsageError("--out must end in .docx or .pdf")
    town = _cli_town(town_name)
    chosen = None if items.strip() == "all" else [i.strip() for i in items.split(",") if i.strip()]
    try:
        doc = services.fresh_document(town, cycle or current_app.config["CURRENT_CYCLE"], program_id, chosen)
    except services.DraftError as exc:
        raise click.ClickException(str(exc)) from None
    write_private(out, grant_docx(doc) if suffix == ".docx" else grant_pdf(doc))
    if doc.budget.missing:
        click.echo(f"Note: {len(doc.budget.missing)} budget line(s) have no cost estimate; they are flagged.")
    click.echo(f"Wrote {out}")


@click.command("prioritize")
@click.option("--budget", required=True, help="The budget in dollars, e.g. 2000000.")
@click.option("--weight", "weights", multiple=True, metavar="FACTOR=VALUE",
              help="Change a weight (need, population, readiness, leverage, equity); repeatable.")
@click.option("--include-unknown", is_flag=True, help="Also consider towns whose network status is unknown.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The CSV file to write.")
@with_appcontext
def prioritize_command(budget: str, weights: tuple[str, ...], include_unknown: bool, out: str) -> None:
    """Choose Nutmeg Network connections to fund within a budget; one CSV row per candidate."""
    from muni_assess.documents.files import write_private
    from muni_assess.documents.funding_exports import candidates_csv
    from muni_assess.funding import services
    from scoring.funding import DEFAULT_WEIGHTS, FundingInputError, check_budget, check_weights, prioritize

    try:
        pairs = dict(w.split("=", 1) if "=" in w else (w, "") for w in weights)
        params = services.Params(check_budget(budget), check_weights({**DEFAULT_WEIGHTS, **pairs}), include_unknown)
        cands = services.candidates(current_app.config["STATE"], current_app.config["CURRENT_CYCLE"],
                                    params.include_unknown)
        result = prioritize(cands, params.weights, params.budget)
    except FundingInputError as exc:
        raise click.ClickException(str(exc)) from None
    write_private(out, candidates_csv(result))
    sel = result.selection
    click.echo(f"{len(result.selected)} of {len(result.scored)} candidates selected: ${sel.total_cost:,} of "
               f"${sel.budget:,}, ${sel.left:,} left"
               + ("; the budget covers every candidate" if result.covers_all else "") + f". Wrote {out}")
    if result.candidates.uncosted:
        click.echo(f"{len(result.candidates.uncosted)} candidate(s) have no cost estimate and were not considered.")


@click.command("export")
@click.option("--region", default=None, help="A region's short id (e.g. CRCOG): its regional dashboard.")
@click.option("--state", "statewide", is_flag=True, help="The statewide view instead of one region.")
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "csv", "pdf"]))
@click.option("--cycle", type=int, default=None, help="Assessment year (default: the current cycle).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@with_appcontext
def export_command(region: str | None, statewide: bool, fmt: str, cycle: int | None, out: str) -> None:
    """Write a region's (or the state's) tables as XLSX, the town x section table as CSV, or the PDF brief."""
    from muni_assess.regional import cli_export

    if bool(region) == statewide:
        raise click.UsageError("Give exactly one of --region ID or --state.")
    try:
        path, summary = cli_export.write(region, fmt, cycle or current_app.config["CURRENT_CYCLE"], out)
    except cli_export.ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {path} ({summary})")


COMMANDS = (validate_content, init_db, seed, create_user_command, roadmap_command, backup_command, restore_command,
            grants_command, grant_draft_command, prioritize_command, export_command)


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
