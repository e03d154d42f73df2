"""`wrench`: run the bot, migrate the database, check the config file, manage the registers, import CSV."""

import asyncio
import csv
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import CoreSettings, Mode, Settings, SettingsError, load_settings
from bot.server import StartupError, post_digest, prepare_database, running
from models import migrate
from models.db import Database
from models.enums import Criticality
from services import csv_import, parts, places, pm_import, reports
from services.errors import DomainError
from services.org import Organisation, OrgConfigError, load_organisation
from services.register_import import ASSETS, LOCATIONS, PARTS

cli = typer.Typer(
    help="Wrench: work orders that live in Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
config_cli = typer.Typer(help="The organisation config file (wrench.yml).", no_args_is_help=True)
import_cli = typer.Typer(help="Import data from CSV files.")
parts_cli = typer.Typer(help="The parts register: add parts, receive stock, list stock.", no_args_is_help=True)
assets_cli = typer.Typer(help="The asset register: add assets, list them.", no_args_is_help=True)
locations_cli = typer.Typer(help="Locations (site / building / floor / room): add, list.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(config_cli, name="config")
cli.add_typer(import_cli, name="import")
cli.add_typer(parts_cli, name="parts")
cli.add_typer(assets_cli, name="assets")
cli.add_typer(locations_cli, name="locations")
CLI_ACTOR = "cli"  # who stock movements made with `wrench parts` are recorded as
T = TypeVar("T")
PROGRESS_FROM = 200  # rows: a shorter import needs no progress bar
DRY_RUN_VERBS = {csv_import.Outcome.CREATED: "would create", csv_import.Outcome.UPDATED: "would update"}


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"wrench: {message}", err=True)
    raise typer.Exit(code)


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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(Settings)
        chosen = settings.mode(mode)
        org = load_organisation(settings.wrench_config)
        asyncio.run(_serve(settings, chosen, org, scheduler_on=scheduler))
    except (SettingsError, OrgConfigError, StartupError) as error:
        fail(str(error))


@cli.command("scheduler")
def scheduler_only() -> None:
    """Run only the timed jobs (PM, SLA watch, digests, morning DMs, auto-close) until SIGINT or SIGTERM;
    no Slack listeners."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(Settings)
        org = load_organisation(settings.wrench_config)
        asyncio.run(_serve(settings, None, org, scheduler_on=True))
    except (SettingsError, OrgConfigError, StartupError) as error:
        fail(str(error))


async def _serve(settings: Settings, mode: Mode | None, org: Organisation, *, scheduler_on: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings, org, mode=mode, scheduler_on=scheduler_on):
        await stop.wait()
    logging.getLogger("wrench").info("stopped")


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
    found = await _in_database(settings, partial(reports.team_report, org=org, team=team, now=_now(), days=days))
    return reports.report_rows(found)


def _now() -> datetime:
    return datetime.now(UTC)


async def _in_database(settings: CoreSettings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in one transaction on DATABASE_URL (SQLite migrated first), then let go of it."""
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        return await db.run(work)
    finally:
        await db.dispose()


IMPORT_KINDS = {kind.name: kind for kind in (LOCATIONS, ASSETS, PARTS, pm_import.PM)}
IMPORT_HELP = {
    "locations": "Create locations by path (and the ones above them); existing paths are left as they are.",
    "assets": "Create or update (by tag) assets; on an update an empty cell keeps what is stored.",
    "parts": "Create or update (by SKU) parts; on an update on_hand is a stock count (a movement).",
    "pm": "Create or update (by key) PM schedules.",
}


@import_cli.callback(invoke_without_command=True)
def import_group(
    context: typer.Context,
    template: Annotated[
        str | None, typer.Option(help=f"Print the columns and an example row of a kind ({', '.join(IMPORT_KINDS)}).")
    ] = None,
) -> None:
    """Import data from CSV files: one wrong row imports nothing, and each problem names its line."""
    if template is not None:
        if template not in IMPORT_KINDS:
            fail(f"--template: no kind '{template}' (kinds: {', '.join(IMPORT_KINDS)})")
        typer.echo(csv_import.template(IMPORT_KINDS[template]), nl=False)
        raise typer.Exit()
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


def _import_command(kind: csv_import.Kind) -> Callable[..., None]:
    def command(
        file: Annotated[Path | None, typer.Argument(help="CSV file with a header row; - for standard input.")] = None,
        dry_run: Annotated[bool, typer.Option(help="Check every row and report, but write nothing.")] = False,
        template: Annotated[bool, typer.Option(help="Print the columns and an example row, then exit.")] = False,
    ) -> None:
        if template:
            typer.echo(csv_import.template(kind), nl=False)
            return
        if file is None:
            fail("give the CSV file to import (or --template for the columns)")
        try:
            settings = load_settings(CoreSettings)
            org = load_organisation(settings.wrench_config)
            text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8-sig")
            rows = csv_import.read_rows(kind, text)
            report = asyncio.run(_import(settings, org, kind, rows, dry_run=dry_run))
        except (SettingsError, OrgConfigError, StartupError) as error:
            fail(str(error))
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{file}: cannot read it ({error})")
        except csv_import.ImportFailed as error:
            for problem in error.problems:
                typer.echo(f"{file}: {problem}", err=True)
            fail(str(error), code=1)
        counts = []
        for outcome, lines in report.done.items():
            verb = DRY_RUN_VERBS.get(outcome, outcome) if dry_run else outcome
            for line in lines:
                typer.echo(f"{verb} {line}")
            counts.append(f"{len(lines)} {verb}")
        summary = ", ".join(counts)
        typer.echo(f"{summary} (dry run: nothing written)" if dry_run else summary)

    command.__doc__ = f"{IMPORT_HELP[kind.name]} One wrong row imports nothing and names its line."
    return command


for _kind in IMPORT_KINDS.values():
    import_cli.command(_kind.name)(_import_command(_kind))


async def _import(
    settings: CoreSettings,
    org: Organisation,
    kind: csv_import.Kind,
    rows: list[tuple[int, dict[str, str]]],
    *,
    dry_run: bool,
) -> csv_import.Report:
    """Run the import; a long one shows a progress bar on standard error."""
    work = partial(csv_import.run, kind=kind, org=org, now=_now(), rows=rows, dry_run=dry_run)
    if len(rows) < PROGRESS_FROM:
        return await _in_database(settings, work)
    with typer.progressbar(length=len(rows), label=f"importing {kind.name}", file=sys.stderr) as bar:
        return await _in_database(settings, partial(work, progress=bar.update))


@parts_cli.command("add")
def parts_add(
    sku: Annotated[str, typer.Argument(help="Stock keeping unit, unique (letters, digits, . _ / -).")],
    name: Annotated[str, typer.Argument(help="What it is.")],
    unit: Annotated[str, typer.Option(help="each, m, l, kg...")] = "each",
    cost: Annotated[float, typer.Option(min=0, help="Unit cost, in the organisation's currency.")] = 0,
    on_hand: Annotated[float, typer.Option(min=0, help="Opening stock (recorded as a movement).")] = 0,
    reorder_point: Annotated[float, typer.Option(min=0, help="Alert the team when stock falls to this.")] = 0,
    location: Annotated[str, typer.Option(help="Where it is kept.")] = "",
) -> None:
    """Add a part to the register."""
    work = partial(
        parts.add_part,
        now=_now(),
        actor_id=CLI_ACTOR,
        sku=sku,
        name=name,
        unit=unit,
        unit_cost=cost,
        on_hand=on_hand,
        reorder_point=reorder_point,
        location=location,
    )
    part = _run_register(work)
    typer.echo(f"added {part.sku} {part.name}: {on_hand:g} {part.unit} in stock")


@parts_cli.command("receive")
def parts_receive(
    sku: Annotated[str, typer.Argument(help="The part's SKU.")],
    quantity: Annotated[float, typer.Argument(help="How many arrived.")],
    note: Annotated[str, typer.Option(help="Delivery note, order number...")] = "",
) -> None:
    """Record stock that arrived (a movement); back above the reorder point, the alert is armed again."""
    part = _run_register(partial(parts.receive, now=_now(), actor_id=CLI_ACTOR, sku=sku, quantity=quantity, note=note))
    typer.echo(f"{part.sku}: {part.on_hand:g} {part.unit} in stock")


@parts_cli.command("list")
def parts_list() -> None:
    """Every part with its stock, reorder point and unit cost."""
    found = _run_register(parts.listing)
    typer.echo(f"{'SKU':<16} {'name':<32} {'on hand':>10} {'reorder at':>10} {'unit cost':>10}")
    for part in found:
        low = "  LOW" if part.on_hand <= part.reorder_point else ""
        cost = part.unit_cost_cents / 100
        typer.echo(
            f"{part.sku:<16} {part.name[:32]:<32} {part.on_hand:>10g} {part.reorder_point:>10g} {cost:>10.2f}{low}"
        )


@assets_cli.command("add")
def assets_add(
    tag: Annotated[str, typer.Argument(help="What people type: unique (letters, digits, . _ / -).")],
    name: Annotated[str, typer.Argument(help="What it is.")],
    location: Annotated[str, typer.Option(help='Where it is: "Site / Building / Floor / Room" (created if new).')] = "",
    category: Annotated[str, typer.Option(help="pumps, HVAC, vehicles...")] = "",
    parent: Annotated[str, typer.Option(help="The tag of the asset it is a component of.")] = "",
    manufacturer: Annotated[str, typer.Option()] = "",
    model: Annotated[str, typer.Option()] = "",
    serial: Annotated[str, typer.Option()] = "",
    installed: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Install date, YYYY-MM-DD.")] = None,
    criticality: Annotated[Criticality, typer.Option()] = Criticality.MEDIUM,
) -> None:
    """Add an asset to the register."""
    work = partial(
        places.add_asset,
        now=_now(),
        tag=tag,
        name=name,
        location=location or None,
        category=category,
        parent=parent,
        manufacturer=manufacturer,
        model=model,
        serial=serial,
        installed_on=installed.date() if installed else None,
        criticality=criticality,
    )
    _run_register(work)
    typer.echo(f"added {tag.strip()} {name.strip()}" + (f" in {location.strip()}" if location.strip() else ""))


@assets_cli.command("list")
def assets_list() -> None:
    """Every asset with its status, criticality and location."""
    found = _run_register(places.assets_with_places)
    typer.echo(f"{'tag':<16} {'name':<32} {'status':<8} {'criticality':<11} location")
    for asset, path in found:
        row = f"{asset.tag:<16} {asset.name[:32]:<32} {asset.status.value:<8} {asset.criticality.value:<11}"
        typer.echo(f"{row} {path or ''}".rstrip())


@locations_cli.command("add")
def locations_add(
    path: Annotated[str, typer.Argument(help='"Site / Building / Floor / Room": the parents are created too.')],
) -> None:
    """Add a location (and the ones above it that do not exist yet)."""
    _run_register(partial(places.add_location, path=path, now=_now()))
    typer.echo(f"added {places.PATH_SEPARATOR.join(p.strip() for p in path.split('/') if p.strip())}")


@locations_cli.command("list")
def locations_list() -> None:
    """Every location, each site followed by what is in it."""
    for path in _run_register(places.location_paths):
        typer.echo(path)


def _run_register(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_in_database(load_settings(CoreSettings), work))
    except (SettingsError, StartupError) as error:
        fail(str(error))
    except DomainError as error:
        fail(str(error), code=1)


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
    """Validate the config file and name the line that is wrong."""
    try:
        target = path or load_settings(CoreSettings).wrench_config
        org = load_organisation(target)
    except (SettingsError, OrgConfigError) as error:
        fail(str(error), code=1)
    teams = _plural(len(org.teams), "team")
    categories = _plural(len(org.categories), "category", "categories")
    priorities = _plural(len(org.sla), "priority", "priorities")
    counts = f"{teams}, {categories}, SLA targets for {priorities}"
    typer.echo(f"{target}: OK ({counts}, timezone {org.timezone})")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def main() -> None:
    cli(prog_name="wrench")


if __name__ == "__main__":
    main()
