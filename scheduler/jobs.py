"""Job functions: each runs one service call in a transaction and hands the results to the notifier.

Jobs are safe to run on several replicas at once: a work order changed by two of them at the same
moment is caught by its version column, and the retry finds nothing left to do.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from models.schemas import Change
from models.views import DigestChart
from services import digest, finding, lifecycle, morning, pm_generation, sla_watch
from services.org import Organisation
from services.ports import Deps, Transactions

log = logging.getLogger("wrench.scheduler")


async def close_unconfirmed(deps: Deps) -> int:
    """Close completed work nobody confirmed or reopened in time; returns how many closed."""
    closed = await _changes(deps, lifecycle.close_unconfirmed)
    if closed:
        log.info("closed %d unconfirmed work orders", closed)
    return closed


async def check_sla(deps: Deps) -> int:
    """Warn, mark breaches and escalate; returns how many work orders were warned or escalated."""
    return await _changes(deps, sla_watch.check)


async def generate_pm(deps: Deps) -> int:
    """Turn due PM schedules into work orders (posted like any card); returns how many were created."""
    run = await deps.db.run(partial(pm_generation.check, org=deps.org, now=deps.clock()))
    for work_order in run.created:
        await deps.notifier.work_order_created(work_order)
    for notice in run.notices:
        await deps.notifier.announce(deps.org.team(notice.team).channel, notice.text)
    if run.created:
        log.info("generated %d preventive work orders", len(run.created))
    return len(run.created)


async def _changes(deps: Deps, service: Callable[..., Awaitable[list[Change]]]) -> int:
    """Run `service(session, org=, now=)` in one transaction, then tell Slack about each change."""
    found = await deps.db.run(partial(service, org=deps.org, now=deps.clock()))
    for change in found:
        await deps.notifier.work_order_changed(change)
    return len(found)


async def post_digests(deps: Deps) -> int:
    """Post each digest whose local time has come today, once per day across replicas and restarts."""
    now, posted = deps.clock(), 0
    for due, local_date in digest.due(deps.org, now):
        build = partial(digest.claim_and_build, org=deps.org, digest=due, local_date=local_date, now=now)
        data = await deps.db.run(build)
        if data is None or (data.quiet and due.skip_when_quiet):
            continue
        chart = await digest_chart(deps.db, deps.org, due.team, now)
        await deps.notifier.digest(due.channel or deps.org.team(due.team).channel, data, chart)
        posted += 1
    return posted


async def digest_chart(db: Transactions, org: Organisation, team: str, now: datetime) -> DigestChart | None:
    """The digest's chart data, or None (logged) when it cannot be had: the digest goes out without it."""
    try:
        return await db.run(partial(digest.chart_data, org=org, team=team, now=now))
    except Exception:
        log.warning("no chart for the %s digest", team, exc_info=True)
        return None


async def send_morning_dms(deps: Deps) -> int:
    """Each opted-in person's open work, most overdue first, once per working day; nothing when they have none."""
    today = morning.due_date(deps.org, deps.clock())
    if today is None:
        return 0
    sent = 0
    for user_id in await deps.db.run(partial(morning.claim, today=today)):
        listing = await deps.db.run(partial(finding.mine, user_id=user_id))
        if listing.total:
            await deps.notifier.morning_dm(user_id, listing)
            sent += 1
    return sent
