"""`wrench doctor`: is everything Wrench owes Slack, the webhooks and the mail server going out? One screen, for the
operator on call; exits 1 when something needs a look."""

from datetime import datetime, timedelta
from functools import partial

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.support import now, organisation, run_in_database
from services.delivery import outbox, webhooks
from services.mail import queue as mail
from services.organisation.org import Organisation

STUCK_AFTER = timedelta(minutes=5)  # a notice older than this still undelivered is worth a look


def doctor() -> None:
    """The Slack outbox (pending, retrying, given up, the last errors), the webhook queues and the email
    queue."""
    org = organisation()
    slack, given_up, hooks, emails = run_in_database(partial(_read, org=org))
    attention = _slack(slack, given_up)
    attention = _webhooks(hooks) or attention
    attention = (emails is not None and _mail(emails)) or attention
    typer.echo("needs attention" if attention else "all well")
    if attention:
        raise typer.Exit(1)


async def _read(
    session: AsyncSession, *, org: Organisation
) -> tuple[
    outbox.OutboxStatus, list[tuple[datetime, str, list[object]]], list[webhooks.WebhookStatus], mail.MailStatus | None
]:
    status = await outbox.status(session)
    given_up = await outbox.given_up(session)
    hooks = await webhooks.status(session, org.webhooks) if org.webhooks else []
    return status, given_up, hooks, await mail.status(session) if org.smtp else None


def _slack(status: outbox.OutboxStatus, given_up: list[tuple[datetime, str, list[object]]]) -> bool:
    stuck = status.oldest is not None and now() - status.oldest > STUCK_AFTER
    typer.echo(f"slack outbox: {status.pending} pending ({status.retrying} retrying), {status.gave_up} given up")
    if status.oldest is not None:
        typer.echo(f"  oldest pending since {_when(status.oldest)}")
    if status.last_error and status.pending:
        typer.echo(f"  last error: {status.last_error}")
    for done_at, kind, failures in given_up:
        for failure in failures:
            call, error = (failure.get("call"), failure.get("error")) if isinstance(failure, dict) else ("?", failure)
            typer.echo(f"  given up {_when(done_at)}: {kind} {call}: {error}")
    return stuck or bool(status.gave_up)


def _webhooks(hooks: list[webhooks.WebhookStatus]) -> bool:
    failing = False
    for hook in hooks:
        bad = bool(hook.failing or hook.failed)
        failing = failing or bad
        typer.echo(f"webhook {hook.name}: {hook.pending} pending ({hook.failing} retrying), {hook.failed} failed")
        if bad and hook.last_error:
            typer.echo(f"  last error: {hook.last_error}")
    return failing


def _mail(status: mail.MailStatus) -> bool:
    typer.echo(f"email: {status.pending} pending ({status.failing} retrying), {status.failed} failed")
    failing = bool(status.failing or status.failed)
    if failing and status.last_error:
        typer.echo(f"  last error: {status.last_error}")
    return failing


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
