"""What connects Wrench to other systems and people outside Slack, from the command line: `wrench token`
(REST API tokens), `wrench webhooks` (delivery status, retry), `wrench export` and `wrench labels` (QR
labels that open the web portal)."""

from datetime import UTC, datetime, time
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.labels import LABELS_PER_PAGE, Label, Paper
from bot.cli.labels import render as render_labels
from bot.cli.support import fail, now, organisation, run_in_database
from services.delivery import webhooks
from services.errors import DomainError
from services.organisation import api_tokens
from services.reporting import exports
from services.requests import portal

token_cli = typer.Typer(help="Bearer tokens for the REST API: create, list, revoke.", no_args_is_help=True)
webhooks_cli = typer.Typer(
    help="Webhook deliveries: how each webhook is doing, retry failed ones.", no_args_is_help=True
)


@token_cli.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for: erp, warehouse... (unique).")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: read (every GET), write (changes).")] = "read",
    acts_as: Annotated[
        str | None, typer.Option("--as", help="Slack user id every write is made as (default: the body's actor).")
    ] = None,
) -> None:
    """Create a token and print it: it is shown this once, and stored only as a hash."""
    try:
        parsed = api_tokens.parse_scopes(scopes)
    except DomainError as error:
        fail(f"--scopes: {error}")
    token, secret = run_in_database(partial(api_tokens.create, now=now(), name=name, scopes=parsed, acts_as=acts_as))
    typer.echo(secret)
    as_whom = f", acting as {token.acts_as}" if token.acts_as else ""
    typer.echo(
        f"created token {token.name} ({', '.join(token.scopes)}{as_whom}); keep it now, it is not shown again", err=True
    )


@token_cli.command("list")
def token_list() -> None:
    """Every token: name, prefix, scopes, when it was last used, and whether it is revoked."""
    found = run_in_database(api_tokens.listing)
    typer.echo(f"{'name':<20} {'prefix':<14} {'scopes':<12} {'acts as':<12} {'last used':<17} state")
    for token in found:
        used = _when(token.last_used_at) or "never"
        state = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
        typer.echo(
            f"{token.name:<20} wrn_{token.prefix:<10} {','.join(token.scopes):<12} {token.acts_as or '-':<12} "
            f"{used:<17} {state}"
        )


@token_cli.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: API calls with it are refused from now on."""
    token = run_in_database(partial(api_tokens.revoke, now=now(), name=name))
    typer.echo(f"revoked token {token.name}")


@webhooks_cli.command("status")
def webhooks_status() -> None:
    """Each configured webhook: delivered, pending, failing (retrying) and failed deliveries, last error."""
    org = organisation()
    if not org.webhooks:
        typer.echo("no webhooks in the config (see docs/webhooks.md)")
        return
    found = run_in_database(partial(webhooks.status, webhooks=org.webhooks))
    failing = False
    for hook in found:
        health = "FAILING" if hook.failing or hook.failed else "ok"
        failing = failing or health != "ok"
        typer.echo(f"{hook.name} → {hook.url}: {health}")
        typer.echo(
            f"  delivered {hook.delivered}, pending {hook.pending} (retrying {hook.failing}), failed {hook.failed}"
        )
        if hook.last_delivered_at:
            typer.echo(f"  last delivered {_when(hook.last_delivered_at)}")
        if hook.oldest_pending_at and hook.pending:
            typer.echo(f"  oldest pending since {_when(hook.oldest_pending_at)}")
        if hook.last_error and health != "ok":
            typer.echo(f"  last error: {hook.last_error}")
    if failing:
        raise typer.Exit(1)


@webhooks_cli.command("retry")
def webhooks_retry(name: Annotated[str, typer.Argument(help="The webhook's name in wrench.yml.")]) -> None:
    """Queue the deliveries that failed for good again (after fixing the receiver)."""
    org = organisation()
    webhook = next((hook for hook in org.webhooks if hook.name == name), None)
    count = run_in_database(partial(webhooks.retry_failed, webhook=webhook, name=name, now=now()))
    typer.echo(f"{name}: {count} failed deliveries queued again")


class Kind(StrEnum):
    WORKORDERS = "workorders"
    ASSETS = "assets"
    PARTS = "parts"
    PURCHASE_ORDERS = "purchase-orders"


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


def export(
    kind: Annotated[Kind, typer.Argument(help="What to export.")],
    format: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.CSV,
    since: Annotated[
        str | None,
        typer.Option(help="Only rows changed since: YYYY-MM-DD (midnight, the config's timezone) or ISO 8601."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Export work orders, assets, parts or purchase orders (the REST API's fields) as CSV or JSON."""
    since_at = _since(since) if since else None
    rows = run_in_database(partial(exports.collect, kind=kind.value, since=since_at))
    text = exports.as_json(rows) if format is Format.JSON else exports.as_csv(kind.value, rows)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"--out: cannot write {out} ({error.strerror})")
    typer.echo(f"exported {len(rows)} {kind.value} to {out}", err=True)


def _since(text: str) -> datetime:
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            return datetime.combine(day, time(), tzinfo=organisation().zone()).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--since: '{text}' is not a date (YYYY-MM-DD) or an ISO 8601 time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=organisation().zone())
    return moment.astimezone(UTC)


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + "Z" if moment else None


def labels(
    site: Annotated[str, typer.Option(help="The site: a top-level location, as `wrench locations list` shows it.")],
    out: Annotated[Path, typer.Option(help="The PDF file to write.")],
    paper: Annotated[Paper, typer.Option(help="a4 or letter.")] = Paper.A4,
) -> None:
    """Print QR labels for every asset at a site: each opens the web portal's form for its asset."""
    org = organisation()
    if not org.portal.enabled or not org.portal.public_url:
        fail("labels open the web portal: set portal.enabled and portal.public_url in the config file first")
    found = run_in_database(partial(portal.assets_at_site, site=site))
    if not found:
        sites = run_in_database(portal.site_names)
        known = ", ".join(sites) if sites else "none yet"
        fail(f"--site: no assets at '{site}' (sites: {known})", code=1)
    pdf = render_labels(
        [Label(org.portal.label_url(a.tag), a.tag, a.name, a.location) for a in found],
        paper=paper,
        title=f"Asset labels: {site}",
    )
    try:
        out.write_bytes(pdf)
    except OSError as error:
        fail(f"--out: cannot write {out} ({error.strerror})")
    pages = -(-len(found) // LABELS_PER_PAGE)
    labels_count = f"{len(found)} label{'s' if len(found) > 1 else ''}"
    typer.echo(f"wrote {labels_count} on {pages} page{'s' if pages > 1 else ''} to {out}", err=True)
