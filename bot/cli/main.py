"""`wrench`: run the bot, migrate the database, check the config file, manage the registers, import CSV,
and `wrench doctor` for what is still to be delivered."""

import asyncio
import csv
import gc
import logging
import signal
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.calendars import calendar_cli
from bot.cli.doctor import doctor
from bot.cli.imports import import_cli
from bot.cli.integrations import export, labels, token_cli, webhooks_cli
from bot.cli.mail import mail_cli
from bot.cli.purchasing import purchasing_cli
from bot.cli.registers import assets_cli, locations_cli, parts_cli
from bot.cli.support import fail, in_database, now
from bot.cli.vendors import vendors_cli
from bot.config import CoreSettings, LogLevel, Mode, Settings, SettingsError, load_settings
from bot.server import StartupError, post_digest, running
from models import migrate
from models.db import Database
from services.organisation.config_file import OrgConfigError, load_organisation
from services.organisation.org import Organisation
from services.reporting import reports

cli = typer.Typer(
    help="Wrench: work orders that live in Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
config_cli = typer.Typer(help="The organisation config file (wrench.yml).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(config_cli, name="config")
cli.add_typer(import_cli, name="import")
cli.add_typer(parts_cli, name="parts")
cli.add_typer(assets_cli, name="assets")
cli.add_typer(locations_cli, name="locations")
cli.add_typer(vendors_cli, name="vendors")
cli.add_typer(purchasing_cli, name="purchasing")
cli.add_typer(token_cli, name="token")
cli.add_typer(webhooks_cli, name="webhooks")
cli.add_typer(mail_cli, name="mail")
cli.add_typer(calendar_cli, name="calendar")
cli.command("export")(export)
cli.command("labels")(labels)
cli.command("doctor")(doctor)


@cli.command()
def run(
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="socket (needs SLACK_APP_TOKEN) or http. Default: socket when SLACK_APP_TOKEN is set, else http."
        ),
    ] = None,
    scheduler: Annotated[
        bool, typer.Option(help="Run the timed jobs in this process too (off when `wrench scheduler` runs them).")
    ] = True,
) -> None:
    """Run the bot until SIGINT or SIGTERM."""
    try:
        settings = load_settings(Settings)
        configure_logging(settings.wrench_log_level)
        chosen = settings.mode(mode)
        org = load_organisation(settings.wrench_config, check_environment=True)
        asyncio.run(_serve(settings, chosen, org, scheduler_on=scheduler))
    except SettingsError as error:
        no_slack = str(error).startswith("SLACK_BOT_TOKEN: is not set")
        fail(f"{error}{' (no Slack workspace yet? `wrench sandbox` runs Wrench in your browser)' if no_slack else ''}")
    except (OrgConfigError, StartupError) as error:
        fail(str(error))


@cli.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port of the browser UI and of the stand-in.")] = 8080,
    empty: Annotated[bool, typer.Option("--empty", help="Start without the demo data.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the sandbox's database first.")] = False,
    rate_limits: Annotated[bool, typer.Option("--rate-limits", help="Answer 429 as Slack's tiers would.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse payloads that break Block Kit's rules.")] = False,
) -> None:
    """Run Wrench in your browser with a local stand-in for Slack (not Slack): no workspace needed.
    Uses DATABASE_URL if set, else wrench-sandbox.db here; wrench.yml if there is one, else a demo."""
    from bot.sandbox.serve import serve  # the sandbox's modules load only for this command

    configure_logging(LogLevel.WARNING)
    try:
        asyncio.run(serve(host=host, port=port, empty=empty, reset=reset, rate_limits=rate_limits, strict=strict))
    except (SettingsError, OrgConfigError, StartupError) as error:
        fail(str(error))


@cli.command("scheduler")
def scheduler_only() -> None:
    """Run only the timed jobs (PM, SLA watch, digests, morning DMs, auto-close) until SIGINT or SIGTERM;
    no Slack listeners."""
    try:
        settings = load_settings(Settings)
        configure_logging(settings.wrench_log_level)
        org = load_organisation(settings.wrench_config, check_environment=True)
        asyncio.run(_serve(settings, None, org, scheduler_on=True))
    except (SettingsError, OrgConfigError, StartupError) as error:
        fail(str(error))


def configure_logging(level: LogLevel) -> None:
    """Plain lines on stderr at `level`. APScheduler's own loggers stay at WARNING (they log every job
    run, about ten lines a minute) unless the level is DEBUG: each job logs one line when it did
    something instead (`scheduler.jobs`)."""
    logging.basicConfig(level=level.value, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if level is LogLevel.DEBUG else logging.WARNING)


async def _serve(settings: Settings, mode: Mode | None, org: Organisation, *, scheduler_on: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings, org, mode=mode, scheduler_on=scheduler_on):
        freeze_startup_objects()
        await stop.wait()
    logging.getLogger("wrench").info("stopped")


def freeze_startup_objects() -> None:
    """Leave what startup built (modules, the ORM's mappings, bolt's listeners: alive until the process
    ends) out of garbage collection. Each full collection walked all of it, pausing the event loop:
    bench/ack.py's `/request` at 64 connections went from a p99 of about 290 ms to 140 ms.

    Here and not in `running()`, which tests enter many times in one process: what they leave behind
    would be frozen too, and never freed."""
    gc.collect()
    gc.freeze()
    logging.getLogger("wrench").info("%d startup objects left out of garbage collection", gc.get_freeze_count())


@cli.command("digest")
def digest_now(
    team: Annotated[str, typer.Option(help="The team's key in wrench.yml.")],
    dry_run: Annotated[bool, typer.Option(help="Print the digest here instead of posting it.")] = False,
) -> None:
    """Post a team's backlog digest now (to its digest channel, else the team's channel)."""
    try:
        settings = load_settings(CoreSettings if dry_run else Settings)
        org = load_organisation(settings.wrench_config)
        if team not in {t.key for t in org.teams}:
            fail(f"--team: no team '{team}' in {settings.wrench_config} (teams: {', '.join(t.key for t in org.teams)})")
        typer.echo(asyncio.run(post_digest(settings, org, team, dry_run=dry_run)))
    except (SettingsError, OrgConfigError, StartupError) as error:
        fail(str(error))


@cli.command("report")
def report(
    team: Annotated[str, typer.Option(help="The team's key in wrench.yml.")],
    days: Annotated[int, typer.Option(min=1, max=3660, help="The period: the last N days.")] = 30,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the figures to this CSV file.")] = None,
) -> None:
    """Print a team's KPIs (docs/kpis.md) as a table; --csv FILE writes them as CSV too."""
    try:
        settings = load_settings(CoreSettings)
        org = load_organisation(settings.wrench_config)
    except (SettingsError, OrgConfigError) as error:
        fail(str(error))
    if team not in {t.key for t in org.teams}:
        fail(f"--team: no team '{team}' in {settings.wrench_config} (teams: {', '.join(t.key for t in org.teams)})")
    try:
        rows = asyncio.run(_report(settings, org, team, days))
    except StartupError as error:
        fail(str(error))
    width = max(len(name) for name, _ in rows)
    typer.echo(f"{org.team(team).name}, last {days} days")
    for name, value in rows:
        typer.echo(f"{name:<{width}}  {value}")
    if csv_file is not None:
        try:
            with csv_file.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(("kpi", "value"))
                writer.writerows(rows)
        except OSError as error:
            fail(f"--csv: cannot write {csv_file} ({error.strerror})")
        typer.echo(f"wrote {csv_file}")


async def _report(settings: CoreSettings, org: Organisation, team: str, days: int) -> list[tuple[str, str]]:
    found = await in_database(settings, partial(reports.team_report, org=org, team=team, now=now(), days=days))
    return reports.report_rows(found)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate DATABASE_URL to the schema this version needs."""
    try:
        settings = load_settings(CoreSettings)
    except SettingsError as error:
        fail(str(error))

    async def upgrade() -> str | None:
        db = Database(settings.database_url)
        try:
            await migrate.upgrade(db.engine)
            return await migrate.current_revision(db.engine)
        finally:
            await db.dispose()

    try:
        revision = asyncio.run(upgrade())
    except Exception as error:
        fail(f"DATABASE_URL: upgrade failed ({type(error).__name__}: {error})", code=1)
    typer.echo(f"database is at revision {revision}")


@config_cli.command("check")
def config_check(
    path: Annotated[Path | None, typer.Argument(help="Config file; default: WRENCH_CONFIG or wrench.yml")] = None,
) -> None:
    """Validate the config file: every problem in it, each with its line."""
    try:
        target = path or load_settings(CoreSettings).wrench_config
        org = load_organisation(target, check_environment=True)
    except OrgConfigError as error:
        count = len(error.problems)
        fail(str(error) + (f"\n{count} problems in {target}" if count > 1 else ""), code=1)
    except SettingsError as error:
        fail(str(error), code=1)
    teams = _plural(len(org.teams), "team")
    categories = _plural(len(org.categories), "category", "categories")
    priorities = _plural(len(org.sla), "priority", "priorities")
    counts = f"{teams}, {categories}, SLA targets for {priorities}"
    if org.portal.enabled:
        offered = _plural(len(org.portal_categories()), "category", "categories")
        counts += f", web portal on with {offered}"
    typer.echo(f"{target}: OK ({counts}, timezone {org.timezone})")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def main() -> None:
    cli(prog_name="wrench")


if __name__ == "__main__":
    main()
