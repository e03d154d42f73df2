"""`wrench import KIND FILE.csv` for every kind `services.csv_import` knows, and `--template KIND`."""

import asyncio
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import fail, in_database, now
from bot.config import CoreSettings, SettingsError, load_settings
from bot.server import StartupError
from services import csv_import
from services.contracting.vendor_import import VENDORS
from services.inventory.register_import import ASSETS, LOCATIONS, PARTS
from services.maintenance import pm_import
from services.organisation.config_file import OrgConfigError, load_organisation
from services.organisation.org import Organisation

import_cli = typer.Typer(help="Import data from CSV files.")
PROGRESS_FROM = 200  # rows: a shorter import needs no progress bar
DRY_RUN_VERBS = {csv_import.Outcome.CREATED: "would create", csv_import.Outcome.UPDATED: "would update"}

IMPORT_KINDS = {kind.name: kind for kind in (LOCATIONS, ASSETS, PARTS, VENDORS, pm_import.PM)}
IMPORT_HELP = {
    "locations": "Create locations by path (and the ones above them); existing paths are left as they are.",
    "assets": "Create or update (by tag) assets; on an update an empty cell keeps what is stored.",
    "parts": "Create or update (by SKU) parts; on an update on_hand is a stock count (a movement).",
    "vendors": "Create or update (by key) vendors; on an update an empty cell keeps what is stored.",
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
    work = partial(csv_import.run, kind=kind, org=org, now=now(), rows=rows, dry_run=dry_run)
    if len(rows) < PROGRESS_FROM:
        return await in_database(settings, work)
    with typer.progressbar(length=len(rows), label=f"importing {kind.name}", file=sys.stderr) as bar:
        return await in_database(settings, partial(work, progress=bar.update))
