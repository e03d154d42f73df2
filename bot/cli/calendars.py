"""`wrench calendar`: private iCalendar addresses of a team's maintenance plan or a person's own work."""

from datetime import datetime
from functools import partial
from typing import Annotated

import typer

from bot.cli.support import fail, now, organisation, run_in_database
from services.organisation import calendar_feeds

calendar_cli = typer.Typer(help="Calendar feeds (iCalendar): create, list, revoke.", no_args_is_help=True)


@calendar_cli.command("create")
def calendar_create(
    team: Annotated[str | None, typer.Option(help="A team's key: its PM plan and the due dates of its work.")] = None,
    person: Annotated[
        str | None, typer.Option(help="A Slack user id: the due dates of the work assigned to them.")
    ] = None,
) -> None:
    """Make a private address and print it: it is shown this once, and stored only as a hash."""
    if (team is None) == (person is None):
        fail("give --team KEY or --person USER_ID")
    org = organisation()
    made = partial(calendar_feeds.create, org=org, now=now(), created_by=calendar_feeds.CLI, team=team, person=person)
    feed, token = run_in_database(made)
    typer.echo(calendar_feeds.address(org, token))
    where = "" if org.portal.public_url else " (portal.public_url is not set: put Wrench's address in front)"
    typer.echo(f"created {feed.shown_prefix}; keep the address now, it is not shown again{where}", err=True)


@calendar_cli.command("list")
def calendar_list(
    revoked: Annotated[bool, typer.Option("--revoked", help="Show revoked addresses too.")] = False,
) -> None:
    """Every calendar address: prefix, whose, made, last fetched, state."""
    org = organisation()
    feeds = run_in_database(partial(calendar_feeds.listing, org=org, include_revoked=revoked))
    typer.echo(f"{'prefix':<14} {'whose':<24} {'made':<17} {'last fetched':<17} state")
    for feed in feeds:
        whose = f"team {feed.team}" if feed.team else f"person {feed.person}"
        fetched = _when(feed.last_used_at) if feed.last_used_at else "never"
        state = f"revoked {_when(feed.revoked_at)}" if feed.revoked_at else "active"
        typer.echo(f"{feed.shown_prefix:<14} {whose:<24} {_when(feed.created_at):<17} {fetched:<17} {state}")


@calendar_cli.command("revoke")
def calendar_revoke(prefix: Annotated[str, typer.Argument(help="The address's prefix, cal_XXXXXXXX.")]) -> None:
    """Revoke an address: calendar apps get a 404 from it from now on."""
    org = organisation()
    feed = run_in_database(partial(calendar_feeds.revoke, org=org, now=now(), prefix=prefix))
    typer.echo(f"revoked {feed.shown_prefix}")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
