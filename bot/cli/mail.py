"""`wrench mail`: the email queue's health, a test message to check the server, retrying what failed."""

import asyncio
from functools import partial
from typing import Annotated

import typer

from bot.cli.support import fail, now, organisation, run_in_database
from bot.mail import smtp
from services.errors import InvalidInput
from services.mail import queue
from services.mail.message import build
from services.organisation.integrations import Smtp

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
