"""`wrench mail`: the email queue's health, a test message to check the server, retrying what failed, and
reading the requests mailbox now."""

import asyncio
from functools import partial
from typing import Annotated

import typer

from bot.cli.support import fail, now, organisation, run_in_database
from bot.config import CoreSettings, load_settings
from bot.mail import smtp
from bot.mail.imap import MailboxError
from bot.mail.intake import MailIntake, Read
from bot.metrics import Metrics
from bot.server import prepare_database
from models.db import Database
from services.errors import InvalidInput
from services.mail import queue
from services.mail.message import build
from services.organisation.integrations import Smtp
from services.organisation.org import Organisation

mail_cli = typer.Typer(help="Email through the SMTP server: queue status, a test message, retry.", no_args_is_help=True)


def _configured() -> Smtp:
    config = organisation().smtp
    if config is None:
        fail("no smtp: section in the config: Wrench sends no email (see docs/email.md)", code=1)
    return config


@mail_cli.command("status")
def mail_status() -> None:
    """Sent, pending, failing (retrying) and failed emails, and the last error; exits 1 when any fail."""
    _configured()
    found = run_in_database(queue.status)
    health = "FAILING" if found.failing or found.failed else "ok"
    typer.echo(f"mail: {health}")
    typer.echo(
        f"  sent {found.sent} (last 30 days), pending {found.pending} (retrying {found.failing}), failed {found.failed}"
    )
    if found.last_error and health != "ok":
        typer.echo(f"  last error: {found.last_error}")
    if health != "ok":
        raise typer.Exit(1)


@mail_cli.command("test")
def mail_test(address: Annotated[str, typer.Argument(help="Where to send the test message.")]) -> None:
    """Send a short message now, straight to the server (not through the queue), and say how it went."""
    config = _configured()
    try:
        message = build(
            sender=config.from_address,
            reply_to=config.reply_to,
            to=address,
            subject="Wrench: test message",
            text="This message checks that Wrench can send email through your SMTP server.\n",
            attachments=(),
            now=now(),
        )
    except InvalidInput as error:
        fail(str(error), code=1)
    outcome = asyncio.run(smtp.send(config, config.from_address, str(message["To"]), message.as_bytes()))
    if outcome.error:
        fail(f"{config.host}:{config.port}: {outcome.error}", code=1)
    typer.echo(f"sent a test message to {message['To']} through {config.host}:{config.port}")


@mail_cli.command("retry")
def mail_retry() -> None:
    """Queue the emails that failed for good again (after fixing the server settings or an address)."""
    _configured()
    count = run_in_database(partial(queue.retry_failed, now=now()))
    typer.echo(f"{count} failed emails queued again")


@mail_cli.command("fetch")
def mail_fetch() -> None:
    """Read the requests mailbox now (as the scheduler does every poll_seconds) and say what was done."""
    org = organisation()
    if org.email is None:
        fail("no email: section in the config: Wrench reads no mailbox (see docs/email.md)", code=1)
    try:
        read = asyncio.run(_fetch(org))
    except MailboxError as failure:
        fail(str(failure), code=1)
    for one in read:
        what = one.taken.ref or one.taken.reason
        typer.echo(f"{one.uid.decode()}: {one.taken.outcome}{f' ({what})' if what else ''}")
    typer.echo(f"{len(read)} messages read")


async def _fetch(org: Organisation) -> list[Read]:
    settings = load_settings(CoreSettings)
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        return await MailIntake(db, org, now, Metrics()).poll_once()
    finally:
        await db.dispose()
