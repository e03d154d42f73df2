"""`/wo calendar`: make, list and revoke private calendar addresses (iCalendar feeds)."""

from functools import partial
from typing import Any

from blocks import calendars as calendar_blocks
from services.organisation import calendar_feeds
from services.ports import Deps


async def calendar_command(deps: Deps, command: dict[str, Any], rest: str) -> None:
    user_id, url = command["user_id"], command["response_url"]
    verb, _, argument = rest.strip().partition(" ")
    verb, argument = verb.lower(), argument.strip()
    org = deps.org
    if verb == "link":
        team = argument.lower() or None
        made = partial(
            calendar_feeds.create,
            org=org,
            now=deps.clock(),
            created_by=user_id,
            team=team,
            person=None if team else user_id,
            replace_own=team is None,
        )
        feed, token = await deps.db.run(made)
        team_name = org.team(team).name if team else None
        absolute = org.portal.public_url is not None
        shown = calendar_blocks.feed_made(
            feed, calendar_feeds.address(org, token), team_name=team_name, absolute=absolute
        )
    elif verb == "revoke" and argument:
        feed = await deps.db.run(
            partial(calendar_feeds.revoke, org=org, now=deps.clock(), prefix=argument, user_id=user_id)
        )
        await deps.notifier.reply(url, f"Revoked {feed.shown_prefix}: calendar apps get nothing from it any more.")
        return
    elif verb in ("", "list"):
        feeds = await deps.db.run(partial(calendar_feeds.listing, org=org, user_id=user_id))
        shown = calendar_blocks.feeds_list(feeds, {team.key: team.name for team in org.teams})
    else:
        await deps.notifier.reply(url, calendar_blocks.calendar_usage())
        return
    await deps.notifier.reply(url, shown["text"], shown["blocks"])
